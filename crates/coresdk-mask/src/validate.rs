//! What the regexes cannot say: checksums (Luhn, IBAN mod-97), number rules (SSN areas,
//! IP octets, E.164 lengths), credential checks, and (through boundary.rs) what comes
//! right before and after a match.
//!
//! Every validator takes the whole text and a raw match `start..end` and returns the span
//! to report (which may be narrower, e.g. only the credential after `Bearer `) or `None`.
//! They index bytes, never slice `str`, so a bad offset cannot panic with text in the
//! message.

use super::boundary::{
    group_ends_at, group_starts_at, number_ends_alone, number_starts_alone, word_after, word_before,
};
use super::phone;
use super::replacement::{token_ends_at, token_starts_at};
use super::sensitive_keys;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A reported span, UTF-8 byte offsets.
pub(crate) type Span = (usize, usize);

/// A whole word: nothing word-like on either side.
pub(crate) fn standalone_word(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    (!word_before(t, s) && !word_after(t, e)).then_some((s, e))
}

/// Payment card: 13 to 19 digits, one kind of separator (space or dash) at most, a known
/// issuer prefix and length, and a valid Luhn check digit. The regex may run past the
/// card (`4111 1111 1111 1111 2024`), so shorter prefixes ending at a group boundary are
/// tried too, longest first.
pub(crate) fn credit_card(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    if !number_starts_alone(t, s) {
        return None;
    }
    let mut digits = [0u8; 19];
    let mut ends = [0usize; 19];
    let mut n = 0;
    let mut separator = None;
    for (i, &b) in t.iter().enumerate().take(e).skip(s) {
        if b.is_ascii_digit() {
            if n == digits.len() {
                break;
            }
            digits[n] = b - b'0';
            ends[n] = i + 1;
            n += 1;
        } else if *separator.get_or_insert(b) != b {
            break;
        }
    }
    (13..=n).rev().find_map(|len| {
        let (d, end) = (&digits[..len], ends[len - 1]);
        (number_ends_alone(t, end) && issuer_accepts(d) && luhn(d)).then_some((s, end))
    })
}

/// The Luhn (mod 10) check over decimal digit values.
pub(crate) fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            match (i % 2 == 1, d * 2) {
                (false, _) => d,
                (true, doubled) if doubled > 9 => doubled - 9,
                (true, doubled) => doubled,
            }
        })
        .sum();
    sum % 10 == 0
}

/// Whether the leading digits and length belong to a card network: Visa, Mastercard,
/// American Express, Discover, Diners Club, JCB, UnionPay, Maestro.
fn issuer_accepts(d: &[u8]) -> bool {
    let prefix = |n: usize| d[..n].iter().fold(0u32, |acc, &x| acc * 10 + u32::from(x));
    let len = d.len();
    match d[0] {
        4 => matches!(len, 13 | 16 | 19),
        2 => (2221..=2720).contains(&prefix(4)) && len == 16,
        5 => match prefix(2) {
            51..=55 => len == 16,
            50 | 56..=58 => len >= 13, // Maestro
            _ => false,
        },
        3 => match prefix(2) {
            34 | 37 => len == 15,
            36 | 38 | 39 => len >= 14,
            30 => (300..=305).contains(&prefix(3)) && len >= 14,
            35 => (3528..=3589).contains(&prefix(4)) && len >= 16,
            _ => false,
        },
        6 => {
            let discover = prefix(4) == 6011 || (644..=649).contains(&prefix(3)) || prefix(2) == 65;
            let unionpay = prefix(2) == 62;
            let maestro = prefix(4) == 6304 || prefix(2) == 67;
            ((discover || unionpay) && len >= 16) || (maestro && len >= 13)
        }
        _ => false,
    }
}

/// US Social Security number `AAA-GG-SSSS` (dashes or spaces, the same twice). Area
/// 000, 666 and 900-999, group 00 and serial 0000 are never issued.
pub(crate) fn us_ssn(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    let m = t.get(s..e).filter(|m| m.len() == 11)?;
    let number = |r: std::ops::Range<usize>| {
        m[r].iter()
            .fold(0u32, |acc, &b| acc * 10 + u32::from(b - b'0'))
    };
    let (area, group, serial) = (number(0..3), number(4..6), number(7..11));
    let issued = area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
    (m[3] == m[6] && issued && number_starts_alone(t, s) && number_ends_alone(t, e))
        .then_some((s, e))
}

/// IPv4 dotted quad: four octets 0-255 without leading zeros (as `std` parses them), not
/// part of a longer dotted run such as an OID or a version `1.2.3.4.5`.
pub(crate) fn ipv4(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    let candidate = std::str::from_utf8(t.get(s..e)?).ok()?;
    (candidate.parse::<Ipv4Addr>().is_ok() && number_starts_alone(t, s) && number_ends_alone(t, e))
        .then_some((s, e))
}

/// IPv6, full or compressed (`::`), with an optional embedded IPv4 tail, validated by
/// `std`'s parser; not a piece of a longer colon run such as `1::2::3`, and not a bare
/// `::`.
pub(crate) fn ipv6(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    let candidate = std::str::from_utf8(t.get(s..e)?).ok()?;
    let runs_in = s >= 1 && t[s - 1] == b':' && group_ends_at(t, s - 1);
    let runs_on = t.get(e) == Some(&b':') && group_starts_at(t, e + 1);
    // `::` alone parses (the unspecified address) but is mostly punctuation (`a :: b`).
    (candidate.bytes().any(|b| b.is_ascii_hexdigit())
        && candidate.parse::<Ipv6Addr>().is_ok()
        && !word_before(t, s)
        && !runs_on
        && !runs_in
        && number_ends_alone(t, e))
    .then_some((s, e))
}

/// E.164 number: `+`, then 9 to 15 digits in all (country code included; 15 is the
/// E.164 maximum), grouped by single spaces, dashes or dots and at most one group in
/// parentheses (`+44 (0)20 7946 0958`; a `(0)` trunk prefix is not part of the number);
/// the regex fixes the grouping. The digits must fit their country's numbering plan
/// (`phone::fits_plan`: the national number's length, the NANP area code). The regex may
/// run on into the next number (`+44 20 7946 0958 4111 1111 ...`), so the longest prefix
/// ending at a group boundary that fits is taken.
pub(crate) fn phone_e164(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    if word_before(t, s) {
        return None;
    }
    let (mut digits, mut parens, mut best) = (Vec::with_capacity(16), 0, None);
    for i in s + 1..e.min(t.len()) {
        match t[i] {
            b'0'..=b'9' => {
                let trunk = t[i] == b'0' && t[i - 1] == b'(' && t.get(i + 1) == Some(&b')');
                if !trunk {
                    digits.push(t[i]);
                }
            }
            b'(' => parens += 1,
            _ => continue,
        }
        if digits.len() > 15 {
            break;
        }
        let group_goes_on = t
            .get(i + 1)
            .is_some_and(|b| b.is_ascii_digit() || *b == b')');
        if i + 1 < e && group_goes_on {
            continue;
        }
        if parens <= 1 && phone::fits_plan(&digits) && number_ends_alone(t, i + 1) {
            best = Some((s, i + 1));
        }
    }
    best
}

/// North American number `(555) 123-4567`, `555-123-4567` or `555.123.4567`, with an
/// optional leading `1`. Without parentheses both separators must be the same.
pub(crate) fn phone_nanp(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    let m = t.get(s..e)?;
    // The separator after the area code sits 9 bytes from the end, the one after the
    // exchange 5 bytes from the end (`555-123-4567`).
    let consistent = m.contains(&b')') || m[m.len() - 9] == m[m.len() - 5];
    (consistent && number_starts_alone(t, s) && number_ends_alone(t, e)).then_some((s, e))
}

/// IBAN: country code, 2 check digits, BBAN; exactly the country's length, optional
/// single spaces only between groups of 4, and the ISO 13616 mod-97 check equal to 1.
pub(crate) fn iban(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    if word_before(t, s) {
        return None;
    }
    let length = iban_length([t[s], t[s + 1]])?;
    let mut chars = Vec::with_capacity(length);
    let mut end = s;
    for (i, &b) in t.iter().enumerate().take(e).skip(s) {
        if chars.len() == length {
            break;
        }
        if b == b' ' {
            if chars.len() % 4 != 0 || t[i - 1] == b' ' {
                return None;
            }
        } else {
            chars.push(b);
            end = i + 1;
        }
    }
    (chars.len() == length && !word_after(t, end) && iban_mod97(&chars)).then_some((s, end))
}

/// ISO 13616: move the first four characters to the end, read letters as 10..35, and
/// the number must be 1 mod 97 (computed digit by digit to stay in a u32).
fn iban_mod97(chars: &[u8]) -> bool {
    let rotated = chars[4..].iter().chain(&chars[..4]);
    let mut rem = 0u32;
    for &c in rotated {
        rem = match c {
            b'0'..=b'9' => (rem * 10 + u32::from(c - b'0')) % 97,
            b'A'..=b'Z' => (rem * 100 + u32::from(c - b'A') + 10) % 97,
            _ => return false,
        };
    }
    rem == 1
}

/// IBAN length per country: every country of the SWIFT IBAN registry (release 100, with
/// the territories that use their own ISO code under a registry country's format, such
/// as `GF` under `FR` or `AX` under `FI`), and the national IBAN formats in use outside
/// the registry (`IR`, the BCEAO/BEAC countries of West and Central Africa, `DZ`, `AO`,
/// `CV`, `MG`, `MZ`, ...). The length, the mod-97 check and the word boundaries make a
/// false match unlikely; an unknown country is not an IBAN here.
fn iban_length(country: [u8; 2]) -> Option<usize> {
    let length = match &country {
        b"NO" => 15,
        b"BE" => 16,
        b"DK" | b"FI" | b"FO" | b"GL" | b"NL" | b"AX" | b"FK" | b"SD" => 18,
        b"MK" | b"SI" => 19,
        b"AT" | b"BA" | b"EE" | b"KZ" | b"LT" | b"LU" | b"XK" | b"MN" => 20,
        b"CH" | b"HR" | b"LI" | b"LV" => 21,
        b"BG" | b"BH" | b"CR" | b"DE" | b"GB" | b"GE" | b"IE" | b"ME" | b"RS" | b"VA" | b"GG"
        | b"IM" | b"JE" => 22,
        b"AE" | b"GI" | b"IL" | b"IQ" | b"OM" | b"SO" | b"TL" => 23,
        b"AD" | b"CZ" | b"ES" | b"MD" | b"PK" | b"RO" | b"SA" | b"SE" | b"SK" | b"TN" | b"VG" => 24,
        b"PT" | b"LY" | b"ST" | b"AO" | b"CV" | b"GW" | b"MZ" => 25,
        b"IS" | b"TR" | b"IR" | b"DZ" => 26,
        b"FR" | b"GR" | b"IT" | b"MC" | b"MR" | b"SM" | b"BI" | b"DJ" | b"GF" | b"GP" | b"MQ"
        | b"RE" | b"PF" | b"TF" | b"YT" | b"NC" | b"BL" | b"MF" | b"PM" | b"WF" | b"CM" | b"CF"
        | b"TD" | b"KM" | b"CG" | b"GQ" | b"GA" | b"MG" => 27,
        b"AL" | b"AZ" | b"CY" | b"DO" | b"GT" | b"HU" | b"LB" | b"PL" | b"BY" | b"HN" | b"NI"
        | b"SV" | b"BJ" | b"BF" | b"CI" | b"ML" | b"NE" | b"SN" | b"TG" | b"MA" => 28,
        b"BR" | b"EG" | b"PS" | b"QA" | b"UA" => 29,
        b"JO" | b"KW" | b"MU" | b"YE" => 30,
        b"MT" | b"SC" => 31,
        b"LC" => 32,
        b"RU" => 33,
        _ => return None,
    };
    Some(length)
}

/// Email, unless it is the `password@host` part of `scheme://user:password@host`, which
/// is a URL password (the URL_PASSWORD detector masks only the password there).
pub(crate) fn email(text: &str, s: usize, e: usize) -> Option<Span> {
    (!in_url_userinfo(text.as_bytes(), s)).then_some((s, e))
}

fn in_url_userinfo(t: &[u8], s: usize) -> bool {
    if s == 0 || t[s - 1] != b':' {
        return false;
    }
    // Walk left over the user name to the `//` of the authority (bounded, so a long
    // line costs a constant per email).
    // The user name is what the URL_PASSWORD pattern accepts there (no `?#"'<>`, no
    // replacement token), so an email steps aside only where that detector can take
    // over; otherwise masking the text before it would change the verdict on a second
    // pass (found by the fuzzer: `x://;a?b:pw@db.ok`).
    let floor = s.saturating_sub(256);
    let mut i = s - 1;
    while i > floor && t[i - 1] != b'/' {
        let b = t[i - 1];
        if b.is_ascii_whitespace()
            || matches!(b, b'@' | b':' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>')
            || (b == b']' && token_ends_at(t, i))
        {
            return false;
        }
        i -= 1;
    }
    i >= 3 && &t[i - 3..i] == b"://"
}

/// `scheme://user:password@host`: only the password is reported (the user name may be
/// empty, as in `redis://:password@host`). The password runs to the last `@` (unencoded
/// `@` in passwords is common) but not past a replacement token: masking may have
/// removed the blank or `@` that ended it in the original, and reading past a token
/// would make masking masked text change it again. A user name holding a token is not
/// a user name.
pub(crate) fn url_password(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    let m = t.get(s..e)?;
    let authority = s + m.windows(3).position(|w| w == b"://")? + 3;
    let colon = authority + t[authority..e].iter().position(|&b| b == b':')?;
    let token_at = |i: usize| match t[i] {
        b'[' => token_starts_at(t, i),
        b']' => token_ends_at(t, i + 1),
        _ => false,
    };
    if (authority..colon).any(token_at) {
        return None;
    }
    let limit = (colon + 1..e).find(|&i| token_at(i)).unwrap_or(e);
    let at = (colon + 1..limit).rev().find(|&i| t[i] == b'@')?;
    (at > colon + 1).then_some((colon + 1, at))
}

/// Length of the auth-scheme word plus the blanks after it.
fn credential_start(t: &[u8], s: usize, scheme_len: usize) -> usize {
    let mut i = s + scheme_len;
    while matches!(t.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// `Bearer <credential>`: only the credential is reported. To keep prose ("the bearer
/// of bad news") out, the credential must be 8+ characters and not all lowercase
/// letters and dashes; and not be glued to what follows (`Bearer expires_in=3600` is
/// the scheme's name followed by a `key=value`, not a credential).
pub(crate) fn bearer(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    let c = credential_start(t, s, "bearer".len());
    let credential = t.get(c..e)?;
    let token_like = credential
        .iter()
        .any(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b"._~+/=".contains(b));
    (!word_before(t, s) && !word_after(t, e) && credential.len() >= 8 && token_like)
        .then_some((c, e))
}

/// `Basic <base64>`: only the credential is reported, and only if it decodes to
/// `user:password` (it must contain a colon), which keeps prose out.
pub(crate) fn basic_auth(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    let c = credential_start(t, s, "basic".len());
    let credential = t.get(c..e)?;
    (!word_before(t, s) && credential.len() >= 4 && base64_has_colon(credential)).then_some((c, e))
}

/// Decodes standard base64 (padding optional) and says whether the bytes hold a `:`.
fn base64_has_colon(encoded: &[u8]) -> bool {
    let data = encoded
        .strip_suffix(b"==")
        .or_else(|| encoded.strip_suffix(b"="));
    let data = data.unwrap_or(encoded);
    if data.len() % 4 == 1 || data.contains(&b'=') {
        return false;
    }
    let (mut acc, mut bits, mut colon) = (0u32, 0u32, false);
    for &c in data {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return false,
        };
        acc = ((acc << 6) | u32::from(value)) & 0xffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            colon |= (acc >> bits) & 0xff == u32::from(b':');
        }
    }
    colon
}

/// JWT (JWS, or JWE when five segments and the header names `enc`): the header segment
/// is at least 10 characters and the token is not glued to a longer base64url run.
pub(crate) fn jwt(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    let header = t[s..e].iter().position(|&b| b == b'.')?;
    let glued = word_before(t, s) || (s > 0 && t[s - 1] == b'-');
    if header < 10 || glued {
        return None;
    }
    // Five segments are a JWE only if its header names a content encryption (`enc`);
    // otherwise the first three are a JWS and the rest is what follows it.
    let dots: Vec<usize> = (s..e).filter(|&i| t[i] == b'.').collect();
    if dots.len() == 4 && !jwe_header(&t[s..s + header]) {
        return Some((s, dots[2]));
    }
    Some((s, e))
}

/// Whether a base64url JOSE header decodes to JSON text naming `enc`.
fn jwe_header(segment: &[u8]) -> bool {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment)
        .is_ok_and(|h| h.windows(5).any(|w| w == b"\"enc\""))
}

/// Slack token: a whole word of at least 20 characters.
pub(crate) fn slack_token(text: &str, s: usize, e: usize) -> Option<Span> {
    standalone_word(text, s, e).filter(|(s, e)| e - s >= 20)
}

/// PEM private key: the span without trailing blanks (a truncated block, with no END
/// line, runs to the end of its base64 body).
pub(crate) fn private_key(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    let mut e = e;
    while e > s && t[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    Some((s, e))
}

/// AWS secret access key, only after a name that says so: the last 40 characters of the
/// match, not glued to more base64 and not a documentation placeholder.
pub(crate) fn aws_secret_in_context(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    let start = e.checked_sub(40).filter(|&v| v >= s)?;
    let glued = t
        .get(e)
        .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+');
    let value = &t[start..e];
    let placeholder = value.windows(7).any(|w| w.eq_ignore_ascii_case(b"EXAMPLE"));
    (!glued && !placeholder).then_some((start, e))
}

/// Key names that contain a secret-like word but name something else about it.
const NOT_SECRET_SUFFIXES: &[&str] = &[
    "id",
    "ids",
    "type",
    "types",
    "name",
    "names",
    "url",
    "uri",
    "path",
    "file",
    "length",
    "len",
    "count",
    "expiry",
    "expires",
    "expiresat",
    "expiresin",
    "ttl",
    "timeout",
    "version",
    "format",
    "hint",
    "policy",
    "endpoint",
    "header",
    "field",
    "prefix",
    "suffix",
    "size",
    "algorithm",
    "alg",
    "kind",
    "mode",
    "enabled",
    "required",
    "provider",
    "source",
    "location",
    "rotation",
    "reset",
    "changed",
    "updated",
    "created",
    "strength",
    "label",
];

/// Values that say "no secret here".
const NOT_SECRET_VALUES: &[&str] = &[
    "null",
    "none",
    "nil",
    "true",
    "false",
    "undefined",
    "empty",
    "redacted",
    "hidden",
    "masked",
    "unset",
    "required",
    "optional",
    "string",
    "changeme_placeholder",
];

/// The leading run of `value` in the token alphabet (letters, digits, `+/_-.~`).
pub(crate) fn token_run(value: &[u8]) -> &[u8] {
    let len = value
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b"+/_-.~".contains(&b)))
        .unwrap_or(value.len());
    &value[..len]
}

/// Whether `core` looks like generated key material rather than a word or a number: 12+
/// characters, two character classes (or 20+ characters), entropy of 3 bits per
/// character.
pub(crate) fn looks_random(core: &[u8]) -> bool {
    let classes = [
        core.iter().any(u8::is_ascii_lowercase),
        core.iter().any(u8::is_ascii_uppercase),
        core.iter().any(u8::is_ascii_digit),
    ]
    .iter()
    .filter(|&&c| c)
    .count();
    core.len() >= 12 && (classes >= 2 || core.len() >= 20) && entropy(core) >= 3.0
}

/// Shannon entropy of `value` in bits per byte.
fn entropy(value: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &b in value {
        counts[usize::from(b)] += 1;
    }
    let n = value.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// A value after a secret-like key name (`api_key=...`, `"password": "..."`,
/// `X-Auth-Token: ...`): reports the value. Password-like names (`password`, `passcode`,
/// `secret`, `credential`) take any value of 2 characters or more; names of tokens, keys
/// and key material (`token`, `session`, `cookie`, `signing_key`, `salt`; the rules of
/// `sensitive_keys.rs`, shared with JSON objects) need one whose leading run of token
/// characters [`looks_random`]. Templates (`${VAR}`, `%(x)s`), placeholders and names of
/// something else (`token_type`, `password_length`) are left alone.
pub(crate) fn generic_secret(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    if word_before(t, s) {
        return None;
    }
    let name_end =
        (s..e).find(|&i| !(t[i].is_ascii_alphanumeric() || matches!(t[i], b'_' | b'.' | b'-')))?;
    let name: String = t[s..name_end]
        .iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| char::from(b.to_ascii_lowercase()))
        .collect();
    let separator = (name_end..e).find(|&i| matches!(t[i], b':' | b'='))?;
    let mut v = separator + 1;
    while v < e && matches!(t[v], b' ' | b'\t' | b'\\' | b'"' | b'\'') {
        v += 1;
    }
    let value = &t[v..e];
    if value.is_empty() || NOT_SECRET_SUFFIXES.iter().any(|x| name.ends_with(x)) {
        return None;
    }
    // Every judgement about the value is made on its first characters of the token
    // alphabet only (not `=` or `:`, which may start a nested `name=value`). A finding of another detector inside the value starts after them
    // (or at the value's start), so masking it cannot change the judgement: masking stays
    // idempotent (a fuzzer found `X-Api-Key:...://:pw@host` flipping otherwise).
    let core = token_run(value);
    let lower = core.to_ascii_lowercase();
    if matches!(value[0], b'$' | b'%' | b'*' | b'#')
        || core.windows(7).any(|w| w == b"EXAMPLE")
        || NOT_SECRET_VALUES.iter().any(|x| lower == x.as_bytes())
        || (core.len() >= 3 && core.iter().all(|&b| b == core[0]))
        || (name == "pwd" && matches!(value[0], b'/' | b'~' | b'.'))
    {
        return None;
    }
    let password_like = ["pass", "pwd", "secret", "credential"]
        .iter()
        .any(|w| name.contains(w));
    let token_like = ["token", "apikey", "accesskey", "privatekey", "authkey"]
        .iter()
        .any(|w| name.contains(w))
        || sensitive_keys::names_secret(&name)
        || sensitive_keys::names_key_material(&name);
    let accept = if password_like {
        value.len() >= 2
    } else {
        token_like && looks_random(core)
    };
    // The regex takes at most 1,024 characters of value (bounding the work per candidate);
    // an accepted value runs on to its end, so a longer secret keeps no tail.
    let rest = text.get(e..).unwrap_or("");
    let tail = rest
        .find(|c: char| c.is_whitespace() || "\"'\\&,;<>(){}[]".contains(c))
        .unwrap_or(rest.len());
    accept.then_some((v, e + tail))
}
