//! Key-name rules: in a JSON object, the value under a key such as `password` or
//! `Authorization` is masked whatever it looks like.
//!
//! A key is normalised by removing `-`, `_`, `.` and spaces and lowercasing, so
//! `X-Api-Key`, `x_api_key` and `xApiKey` are all `xapikey`. It is sensitive if the
//! normalised form ends with one of [`BUILTIN`] (so `db_password`, `accessToken` and
//! `client_secret` are covered), or equals one of the caller's `sensitive_keys`
//! normalised the same way (exact match: a caller naming `id` does not mean `userid`).

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
}

impl SensitiveKeys {
    /// Rules with the built-in list plus `extra` (normalised here once).
    pub(crate) fn new(extra: &[String]) -> Self {
        let extra = extra
            .iter()
            .map(|k| normalize(k))
            .filter(|k| !k.is_empty())
            .collect();
        Self { extra }
    }

    /// Whether the value under `key` is masked whatever it holds.
    pub(crate) fn is_sensitive(&self, key: &str) -> bool {
        let key = normalize(key);
        BUILTIN.iter().any(|suffix| key.ends_with(suffix)) || self.extra.contains(&key)
    }
}

/// Lowercase, without `-`, `_`, `.` and spaces.
pub(crate) fn normalize(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '-' | '_' | '.' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}
