//! The "did you mean" parts of gqlparser's messages: lists and suggestions by edit
//! distance.

pub(super) fn or_list(items: &[String]) -> String {
    let items = &items[..items.len().min(5)];
    if items.len() == 2 {
        return format!("{} or {}", items[0], items[1]);
    }
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i != 0 {
            if i == items.len() - 1 {
                out.push_str(", or ");
            } else {
                out.push_str(", ");
            }
        }
        out.push_str(item);
    }
    out
}

pub(super) fn quoted_or_list(items: &[String]) -> String {
    let q: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    or_list(&q)
}

pub(super) fn suggest_quoted(prefix: &str, typed: &str, options: &[String]) -> String {
    let s = suggestion_list(typed, options);
    if s.is_empty() {
        String::new()
    } else {
        format!(" {} {}?", prefix, quoted_or_list(&s))
    }
}

pub(super) fn suggest_unquoted(prefix: &str, typed: &str, options: &[String]) -> String {
    let s = suggestion_list(typed, options);
    if s.is_empty() {
        String::new()
    } else {
        format!(" {} {}?", prefix, or_list(&s))
    }
}

pub(super) fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

pub(super) fn suggestion_list(input: &str, options: &[String]) -> Vec<String> {
    let threshold = ((input.len() as f64 * 0.4).floor() as usize + 1).max(1);
    let mut scored: Vec<(usize, String)> = Vec::new();
    for o in options {
        let d = if input == o {
            0
        } else if input.to_lowercase() == o.to_lowercase() {
            1
        } else {
            levenshtein(&input.to_lowercase(), &o.to_lowercase())
        };
        if d <= threshold {
            scored.push((d, o.clone()));
        }
    }
    scored.sort_by_key(|(d, _)| *d);
    scored.into_iter().map(|(_, o)| o).collect()
}
