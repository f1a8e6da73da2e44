//! Key-name rules: in a JSON object, the value under a key such as `password` or
//! `Authorization` is masked whatever it looks like.
//!
//! A key is normalised by removing `-`, `_`, `.` and spaces and lowercasing, so
//! `X-Api-Key`, `x_api_key` and `xApiKey` are all `xapikey`. It is sensitive if the
//! normalised form ends with one of [`BUILTIN`] (so `db_password`, `accessToken` and
//! `client_secret` are covered), or equals one of the caller's `sensitive_keys`
//! normalised the same way (exact match: a caller naming `id` does not mean `userid`).
//! A caller's key holding `*` is a glob over the normalised name: `*` matches any run
//! of characters, so `*_id` covers `user_id` and `sessionId`, `x-*-key` covers
//! `X-Tenant-Key`.

/// Built-in sensitive suffixes, normalised. Chosen so that common non-secret keys do
/// not end with any of them: `tokens` (LLM usage counts), `author`, `keyboard`,
/// `tokenizer`, `passwordless`, `authority`, `secretary` are not sensitive. Plurals
/// are listed where the plural usually holds secrets (`cookies`, `secrets`). The one
/// known over-match is `session` inside words such as `possession`: a session id
/// leaking is worse than a masked statistic.
pub(crate) const BUILTIN: &[&str] = &[
    "password",
    "passwords",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "secrets",
    "secretkey",
    "token",
    "jwt",
    "apikey",
    "accesskey",
    "accesskeyid",
    "privatekey",
    "authorization",
    "auth",
    "cookie",
    "cookies",
    "credential",
    "credentials",
    "session",
    "sessionid",
    "signature",
    "connectionstring",
];

/// The key-name rules of one masker.
#[derive(Debug, Clone)]
pub(crate) struct SensitiveKeys {
    /// The caller's extra keys, normalised; empty names are dropped (they would match
    /// keys made only of separators).
    extra: Vec<String>,
    /// The caller's keys holding `*`, normalised (the `*` kept).
    globs: Vec<String>,
}

impl SensitiveKeys {
    /// Rules with the built-in list plus `extra` (normalised here once).
    pub(crate) fn new(extra: &[String]) -> Self {
        let (globs, extra) = extra
            .iter()
            .map(|k| normalize(k))
            .filter(|k| !k.is_empty())
            .partition(|k| k.contains('*'));
        Self { extra, globs }
    }

    /// Whether the value under `key` is masked whatever it holds.
    pub(crate) fn is_sensitive(&self, key: &str) -> bool {
        let key = normalize(key);
        BUILTIN.iter().any(|suffix| key.ends_with(suffix))
            || self.extra.contains(&key)
            || self.globs.iter().any(|glob| glob_matches(glob, &key))
    }
}

/// Lowercase, without `-`, `_`, `.` and spaces.
pub(crate) fn normalize(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '-' | '_' | '.' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether `name` matches `glob`, where `*` matches any run of characters (possibly
/// empty) and every other character itself. Greedy with one backtrack point, so linear
/// in practice and never exponential.
fn glob_matches(glob: &str, name: &str) -> bool {
    let (g, n): (Vec<char>, Vec<char>) = (glob.chars().collect(), name.chars().collect());
    let (mut gi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if gi < g.len() && g[gi] == '*' {
            star = Some((gi, ni));
            gi += 1;
        } else if gi < g.len() && g[gi] == n[ni] {
            gi += 1;
            ni += 1;
        } else if let Some((sg, sn)) = star {
            gi = sg + 1;
            ni = sn + 1;
            star = Some((sg, sn + 1));
        } else {
            return false;
        }
    }
    g[gi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_normalised_names() {
        let keys = SensitiveKeys::new(&[
            "*_id".to_string(),
            "x-*-key".to_string(),
            "iban".to_string(),
        ]);
        for yes in [
            "user_id",
            "sessionId",
            "ID",
            "X-Tenant-Key",
            "x_a_key",
            "IBAN",
        ] {
            assert!(keys.is_sensitive(yes), "{yes}");
        }
        for no in ["identity", "xkeys", "ibans", "name"] {
            assert!(!keys.is_sensitive(no), "{no}");
        }
        assert!(glob_matches("a*b*c", "aXbYbZc"));
        assert!(!glob_matches("a*b*c", "aXbYbZ"));
        assert!(glob_matches("*", ""));
    }
}
