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
//!
//! Key material is recognised by name too, but only with a value that looks random
//! ([`names_key_material`]): a name ending in `key` after a qualifier (`signing_key`,
//! `hmacKey`, `X-Encryption-Key`), or in `seed`, `salt`, `pepper`, `mnemonic`,
//! `signature`, `hmac`, `keymaterial`, with an encoding suffix allowed after it
//! (`signing_key_b64`, `master_key_hex`). Qualifiers that make a key something other
//! than a secret (`public_key`, `primary_key`, `cache_key`, `partition_key`,
//! `idempotency_key`, ...) are not key material. The same rule decides for JSON objects
//! (`Masker::mask_value`) and for `name=value` / `"name": "value"` in text (the
//! `SECRET` detector), so the two never disagree.

/// Built-in sensitive suffixes, normalised. Chosen so that common non-secret keys do
/// not end with any of them: `tokens` (LLM usage counts), `author`, `keyboard`,
/// `tokenizer`, `passwordless`, `authority`, `secretary` are not sensitive. Plurals
/// are listed where the plural usually holds secrets (`cookies`, `secrets`). The one
/// known over-match is `session` inside words such as `possession`: a session id
/// leaking is worse than a masked statistic.
pub(crate) const BUILTIN: &[&str] = &[
    "password",
    "passwords",
    "passcode",
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
        names_secret(&key)
            || self.extra.contains(&key)
            || self.globs.iter().any(|glob| glob_matches(glob, &key))
    }
}

impl SensitiveKeys {
    /// Whether `value` under `key` is key material: a key-material name
    /// ([`names_key_material`]) and a value whose leading token run looks random.
    pub(crate) fn holds_key_material(&self, key: &str, value: &str) -> bool {
        names_key_material(&normalize(key))
            && super::validate::looks_random(super::validate::token_run(value.as_bytes()))
    }
}

/// Whether a normalised name ends with one of the built-in sensitive suffixes.
pub(crate) fn names_secret(normalized: &str) -> bool {
    BUILTIN.iter().any(|suffix| normalized.ends_with(suffix))
}

/// Words that name key material at the end of a key name (`key` needs a qualifier).
const KEY_MATERIAL: &[&str] = &[
    "key",
    "keys",
    "keymaterial",
    "seed",
    "salt",
    "pepper",
    "mnemonic",
    "signature",
    "hmac",
];

/// Suffixes that say how key material is written, stripped before [`KEY_MATERIAL`] is
/// looked for (`signing_key_b64`).
const ENCODINGS: &[&str] = &[
    "b64",
    "base64",
    "base64url",
    "hex",
    "pem",
    "der",
    "jwk",
    "raw",
    "bytes",
    "bin",
    "encoded",
    "value",
    "data",
    "material",
    "str",
    "string",
];

/// Qualifiers before `key` that make it something other than a secret: public halves,
/// database and storage keys, lookup and cache keys, and English words ending in `key`.
const NOT_SECRET_KEYS: &[&str] = &[
    "public",
    "pub",
    "verify",
    "verification",
    "verifying",
    "primary",
    "foreign",
    "partition",
    "sort",
    "range",
    "hash",
    "shard",
    "cluster",
    "row",
    "column",
    "composite",
    "unique",
    "natural",
    "surrogate",
    "candidate",
    "index",
    "cache",
    "idempotency",
    "idempotence",
    "dedup",
    "dedupe",
    "deduplication",
    "routing",
    "object",
    "bucket",
    "s3",
    "blob",
    "file",
    "storage",
    "path",
    "lookup",
    "map",
    "dict",
    "search",
    "sequence",
    "cursor",
    "page",
    "order",
    "group",
    "join",
    "field",
    "config",
    "setting",
    "item",
    "entry",
    "record",
    "translation",
    "i18n",
    "message",
    "label",
    "tag",
    "metric",
    "event",
    "trace",
    "request",
    "correlation",
    "host",
    "hot",
    "mon",
    "tur",
    "hoc",
    "don",
    "joc",
    "whis",
];

/// Whether a normalised name means key material (see the module docs): the value under
/// it is a secret when it looks random.
pub(crate) fn names_key_material(normalized: &str) -> bool {
    let mut stem = normalized;
    loop {
        if ends_with_key_material(stem) {
            return true;
        }
        match ENCODINGS
            .iter()
            .find_map(|e| stem.strip_suffix(e).filter(|r| !r.is_empty()))
        {
            Some(rest) => stem = rest,
            None => return false,
        }
    }
}

fn ends_with_key_material(stem: &str) -> bool {
    KEY_MATERIAL.iter().any(|word| {
        let Some(qualifier) = stem.strip_suffix(word) else {
            return false;
        };
        if !matches!(*word, "key" | "keys") {
            return true;
        }
        !qualifier.is_empty() && !NOT_SECRET_KEYS.iter().any(|q| qualifier.ends_with(q))
    })
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

    #[test]
    fn key_material_by_name() {
        for yes in [
            "signing_key",
            "signingKey",
            "X-Encryption-Key",
            "master_key_hex",
            "hmac_key_b64",
            "client_keys",
            "wallet_seed",
            "salt",
            "key_material",
            "jwt_signing_key_pem",
            "x-amz-signature",
        ] {
            assert!(names_key_material(&normalize(yes)), "{yes}");
        }
        for no in [
            "key",
            "keys",
            "public_key",
            "ssh_public_key_b64",
            "primary_key",
            "cache_key",
            "idempotency-key",
            "partitionKey",
            "keyboard",
            "key_id",
            "monkey",
            "object_key",
            "key_count",
        ] {
            assert!(!names_key_material(&normalize(no)), "{no}");
        }
    }
}
