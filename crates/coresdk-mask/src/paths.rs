//! Path rules in pino / fast-redact syntax: the value at `user.email`,
//! `headers["x-api-key"]`, `items[*].card`, `*.password` or `rows[0].ssn` is masked
//! whatever it holds, like the value under a sensitive key name.
//!
//! A path is a first segment (a name, `*`, or a bracket) followed by `.name`, `.*`,
//! `[index]`, `[*]` or `["quoted name"]` / `['quoted name']` segments. `*` matches any
//! one key or array index; a path matches only at its own depth (`a.b` is `a.b`, not
//! `x.a.b`; write `*.a.b` for one level further). Names are matched exactly (no case
//! folding: these are paths the caller wrote for their own objects).

use coresdk_base::error::{Error, ErrorCode, Result};

/// One segment of a configured path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
    Any,
}

/// One step of the position being masked: an object key or an array index.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The compiled path rules of one masker.
#[derive(Debug, Clone, Default)]
pub(crate) struct PathRules {
    rules: Vec<Vec<Segment>>,
}

impl PathRules {
    /// Parses every path. Errors: `INVALID_ARGUMENT` naming the first path that does
    /// not parse.
    pub(crate) fn parse(paths: &[String]) -> Result<Self> {
        let rules = paths
            .iter()
            .map(|p| {
                parse(p).map_err(|why| {
                    Error::new(ErrorCode::InvalidArgument, format!("path {p:?}: {why}"))
                })
            })
            .collect::<Result<_>>()?;
        Ok(Self { rules })
    }

    /// Whether there are no rules (then positions need not be tracked).
    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether the value at `position` is masked by a rule.
    pub(crate) fn matches(&self, position: &[Step<'_>]) -> bool {
        self.rules.iter().any(|rule| {
            rule.len() == position.len()
                && rule
                    .iter()
                    .zip(position)
                    .all(|(seg, step)| match (seg, step) {
                        (Segment::Any, _) => true,
                        (Segment::Key(k), Step::Key(s)) => k == s,
                        (Segment::Index(i), Step::Index(j)) => i == j,
                        _ => false,
                    })
        })
    }
}

/// Parses one path; the error says what is wrong (the caller adds the path).
fn parse(path: &str) -> std::result::Result<Vec<Segment>, String> {
    let chars: Vec<char> = path.chars().collect();
    let mut segments = Vec::new();
    let mut i = 0;
    let mut expect_name = true; // at the start and after '.'
    while i < chars.len() {
        match chars[i] {
            '[' => {
                let (segment, next) = bracket(&chars, i + 1)?;
                segments.push(segment);
                i = next;
                expect_name = false;
                if i < chars.len() && !matches!(chars[i], '.' | '[') {
                    return Err(format!("unexpected {:?} after ']'", chars[i]));
                }
                if i < chars.len() && chars[i] == '.' {
                    i += 1;
                    expect_name = true;
                    if i == chars.len() {
                        return Err("ends with '.'".into());
                    }
                }
            }
            '.' | ']' => return Err(format!("unexpected {:?} at {i}", chars[i])),
            _ if expect_name => {
                let start = i;
                while i < chars.len() && !matches!(chars[i], '.' | '[' | ']') {
                    i += 1;
                }
                let name: String = chars[start..i].iter().collect();
                segments.push(if name == "*" {
                    Segment::Any
                } else {
                    Segment::Key(name)
                });
                expect_name = false;
                if i < chars.len() && chars[i] == '.' {
                    i += 1;
                    expect_name = true;
                    if i == chars.len() {
                        return Err("ends with '.'".into());
                    }
                }
            }
            c => return Err(format!("unexpected {c:?} at {i}")),
        }
    }
    if segments.is_empty() {
        return Err("is empty".into());
    }
    Ok(segments)
}

/// A bracket segment starting after `[`: `*`, digits, or a quoted name. Returns the
/// segment and the position after `]`.
fn bracket(chars: &[char], mut i: usize) -> std::result::Result<(Segment, usize), String> {
    let close = |i: usize| {
        if chars.get(i) == Some(&']') {
            Ok(i + 1)
        } else {
            Err("a bracket is not closed".to_string())
        }
    };
    match chars.get(i) {
        Some('*') => Ok((Segment::Any, close(i + 1)?)),
        Some(&q @ ('"' | '\'')) => {
            let mut name = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("a quoted name is not closed".into()),
                    Some('\\') => {
                        name.push(*chars.get(i + 1).ok_or("a quoted name is not closed")?);
                        i += 2;
                    }
                    Some(&c) if c == q => break,
                    Some(&c) => {
                        name.push(c);
                        i += 1;
                    }
                }
            }
            Ok((Segment::Key(name), close(i + 1)?))
        }
        Some(c) if c.is_ascii_digit() => {
            let start = i;
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
            let digits: String = chars[start..i].iter().collect();
            let index = digits.parse().map_err(|_| "index too large".to_string())?;
            Ok((Segment::Index(index), close(i)?))
        }
        _ => Err("a bracket holds *, an index or a quoted name".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(paths: &[&str]) -> PathRules {
        PathRules::parse(&paths.iter().map(|p| p.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn parses_fast_redact_syntax() {
        assert_eq!(
            parse(r#"a.b[*].c["x-y"][0].*"#).unwrap(),
            vec![
                Segment::Key("a".into()),
                Segment::Key("b".into()),
                Segment::Any,
                Segment::Key("c".into()),
                Segment::Key("x-y".into()),
                Segment::Index(0),
                Segment::Any,
            ]
        );
        assert_eq!(
            parse(r#"['a.b']"#).unwrap(),
            vec![Segment::Key("a.b".into())]
        );
        assert_eq!(
            parse(r#"["q\"x"]"#).unwrap(),
            vec![Segment::Key("q\"x".into())]
        );
    }

    #[test]
    fn rejects_malformed_paths() {
        for bad in [
            "", "a.", ".a", "a..b", "a[", "a[x]", "a[0", "a['x", "a]b", "a[0]b", "a[*",
        ] {
            let err = PathRules::parse(&[bad.to_string()]).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidArgument, "{bad:?}");
        }
    }

    #[test]
    fn matches_only_at_its_own_depth() {
        let r = rules(&["user.email", "items[*].card", "*.password", "rows[1]"]);
        assert!(r.matches(&[Step::Key("user"), Step::Key("email")]));
        assert!(!r.matches(&[Step::Key("x"), Step::Key("user"), Step::Key("email")]));
        assert!(r.matches(&[Step::Key("items"), Step::Index(3), Step::Key("card")]));
        assert!(!r.matches(&[Step::Key("items"), Step::Key("card")]));
        assert!(r.matches(&[Step::Key("db"), Step::Key("password")]));
        assert!(r.matches(&[Step::Key("rows"), Step::Index(1)]));
        assert!(!r.matches(&[Step::Key("rows"), Step::Index(2)]));
        assert!(!r.matches(&[Step::Key("password")]));
    }
}
