//! The detector catalog: for each shape a linear-time regex (the `regex` crate: no
//! look-around, no backreferences), a type label, a validator (validate.rs) for what a
//! regex cannot express, and how the scan (scan.rs) finds and resumes it.
//!
//! Adding a detector is adding an entry to [`CORE`] (and, for a new type, a [`Kind`]
//! in its priority place) or, for a provider token, a row in `providers.rs`.

use super::validate::{self, Span};

/// A detector type. The declaration order is the tie-break priority of overlap
/// resolution (see the module docs of `mask`): secrets with known shapes before PII.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    PrivateKey,
    Jwt,
    GithubToken,
    SlackToken,
    AwsAccessKeyId,
    /// A provider token (`providers.rs`), labelled by the provider row.
    Provider(&'static str),
    AwsSecretAccessKey,
    UrlPassword,
    BearerToken,
    BasicAuth,
    /// A high-entropy or password value after a secret-like key name in text.
    GenericSecret,
    /// A detector the host program added, labelled by it.
    Custom(&'static str),
    Email,
    CreditCard,
    Iban,
    UsSsn,
    PhoneNumber,
    IpAddress,
    MacAddress,
    UsItin,
    EthereumAddress,
    BitcoinAddress,
}

impl Kind {
    /// The type label: the cross-language contract, used in tokens and findings.
    pub(crate) const fn label(self) -> &'static str {
        match self {
            Kind::PrivateKey => "PRIVATE_KEY",
            Kind::Jwt => "JWT",
            Kind::GithubToken => "GITHUB_TOKEN",
            Kind::SlackToken => "SLACK_TOKEN",
            Kind::AwsAccessKeyId => "AWS_ACCESS_KEY_ID",
            Kind::Provider(label) => label,
            Kind::AwsSecretAccessKey => "AWS_SECRET_ACCESS_KEY",
            Kind::GenericSecret => "SECRET",
            Kind::Custom(label) => label,
            Kind::UrlPassword => "URL_PASSWORD",
            Kind::BearerToken => "BEARER_TOKEN",
            Kind::BasicAuth => "BASIC_AUTH",
            Kind::Email => "EMAIL",
            Kind::CreditCard => "CREDIT_CARD",
            Kind::Iban => "IBAN",
            Kind::UsSsn => "US_SSN",
            Kind::PhoneNumber => "PHONE_NUMBER",
            Kind::IpAddress => "IP_ADDRESS",
            Kind::MacAddress => "MAC_ADDRESS",
            Kind::UsItin => "US_ITIN",
            Kind::EthereumAddress => "ETHEREUM_ADDRESS",
            Kind::BitcoinAddress => "BITCOIN_ADDRESS",
        }
    }
}

/// How a detector is searched for.
#[derive(Clone, Copy)]
pub(super) enum Group {
    /// On its own, when one of these literals occurs (ASCII case-insensitive; the
    /// regex decides exactly).
    Keywords(&'static [&'static str]),
    /// In the combined pass over shapes, tried only where the byte test accepts the
    /// first byte (so most positions cost one call, not one per shape).
    Shape(fn(u8) -> bool),
}

/// Where the search goes on after the validator rejected a match.
#[derive(Clone, Copy)]
pub(super) enum Resume {
    /// Past the ASCII word the match starts in, if any. Only for detectors whose
    /// validator rejects a match glued to a word, so no start inside that word could
    /// pass; this keeps a long digit run from costing one search per digit.
    AfterWord,
    /// Past the whole match: no suffix of it is a better candidate.
    AfterMatch,
    /// Past the `@`: an email rejected as a URL password (`:pw@a.com`) may have taken
    /// as its domain the local part of the next address (`:pw@a.combob@b.com`).
    AfterAt,
    /// Past the first `:` or `=` (a key-value separator): the rejected value may hold
    /// another `name=value` (`a-key: x://u:p@h key: <secret>`), which masking the first
    /// value's findings would otherwise expose to a second pass. The value is bounded, so
    /// this stays linear.
    AfterSeparator,
    /// At the next character: the match may end in the start of the next one, as in
    /// `x-Bearer abc-Bearer <token>`. Still linear: a later match can only start at
    /// the end of this one (the credential has no blanks to follow the keyword).
    NextChar,
}

/// One catalog entry.
#[derive(Clone, Copy)]
pub(super) struct Spec {
    /// The type it reports.
    pub(super) kind: Kind,
    /// The regex of the raw match (unanchored; the scan anchors it where needed).
    pub(super) pattern: &'static str,
    pub(super) group: Group,
    /// Checks a raw match `start..end` of the whole text and returns the span to report.
    pub(super) validate: fn(&str, usize, usize) -> Option<Span>,
    pub(super) resume: Resume,
    /// Runs after every other detector, only over the text between their findings
    /// (`SECRET` after secret-like names: its verdict on a value must not change when a
    /// finding inside that value is masked, or masking would not be idempotent).
    pub(super) last: bool,
}

/// The body of a PEM block: base64, blanks, the `Proc-Type:`/`DEK-Info:` headers of
/// encrypted keys, and `\` for blocks logged with escaped newlines.
macro_rules! pem_body {
    () => {
        r"[A-Za-z0-9+/=\s:,.\\-]"
    };
}
macro_rules! pem_label {
    () => {
        r"(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
    };
}

/// The whole catalog: [`CORE`] and the provider rows, compiled once.
pub(super) fn specs() -> &'static [Spec] {
    static ALL: std::sync::OnceLock<Vec<Spec>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        CORE.iter()
            .chain(super::providers::PROVIDERS)
            .copied()
            .collect()
    })
}

/// The built-in detectors other than provider tokens. IP and phone numbers have two
/// entries each.
pub(super) const CORE: &[Spec] = &[
    Spec {
        kind: Kind::PrivateKey,
        // A whole block, or (leftmost-first prefers the first branch) a truncated one
        // up to the end of its body: a cut-off key is still a key.
        pattern: concat!(
            "-----BEGIN ",
            pem_label!(),
            "(?:",
            pem_body!(),
            "*?-----END ",
            pem_label!(),
            "|",
            pem_body!(),
            "*)"
        ),
        group: Group::Keywords(&["-----BEGIN"]),
        validate: validate::private_key,
        resume: Resume::AfterMatch,
        last: false,
    },
    Spec {
        kind: Kind::Jwt,
        // JWE compact form first (five segments, the encrypted key empty for `dir`), then
        // JWS (three, the signature empty for `alg: none`).
        pattern: concat!(
            r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+",
            r"|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"
        ),
        group: Group::Keywords(&["eyJ"]),
        validate: validate::jwt,
        resume: Resume::AfterWord,
        last: false,
    },
    Spec {
        kind: Kind::GithubToken,
        pattern: r"gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}",
        group: Group::Keywords(&["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"]),
        validate: super::providers::provider_token,
        resume: Resume::AfterWord,
        last: false,
    },
    Spec {
        kind: Kind::SlackToken,
        pattern: r"xox[abprs]-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+|xapp-[0-9]+-[A-Za-z0-9]+-[0-9]+-[A-Za-z0-9]+",
        group: Group::Keywords(&["xox", "xapp-"]),
        validate: validate::slack_token,
        resume: Resume::AfterWord,
        last: false,
    },
    Spec {
        kind: Kind::AwsAccessKeyId,
        pattern: r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}",
        group: Group::Keywords(&["AKIA", "ASIA", "ABIA", "ACCA"]),
        validate: super::providers::provider_token,
        resume: Resume::AfterWord,
        last: false,
    },
    Spec {
        kind: Kind::AwsSecretAccessKey,
        // Only in context: 40 base64 characters after a name that says what they are.
        pattern: r#"(?i-u:aws[_\-]?secret[_\-]?(?:access[_\-]?)?key|secret[_\-]?access[_\-]?key)["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}"#,
        group: Group::Keywords(&["secret"]),
        validate: validate::aws_secret_in_context,
        resume: Resume::AfterMatch,
        last: false,
    },
    Spec {
        kind: Kind::GenericSecret,
        pattern: concat!(
            r#"(?i-u:[A-Za-z0-9_.\-]*(?:password|passwd|passphrase|passcode|pwd|secret|token|key|"#,
            r#"credentials?|seed|salt|pepper|mnemonic|hmac|signature|jwt|auth|cookies?|session|"#,
            r#"connection[_\-.]?string)[A-Za-z0-9_.\-]*)"#,
            r#"(?:\\{0,15}["'])?[ \t]*[:=][ \t]*(?:\\{0,15}["'])?[^\s"'\\&,;<>(){}\[\]]{1,1024}"#
        ),
        group: Group::Keywords(&[
            "pass",
            "pwd",
            "secret",
            "token",
            "key",
            "credential",
            "seed",
            "salt",
            "pepper",
            "mnemonic",
            "hmac",
            "signature",
            "jwt",
            "auth",
            "cookie",
            "session",
            "connection",
        ]),
        validate: validate::generic_secret,
        resume: Resume::AfterSeparator,
        last: true,
    },
    Spec {
        kind: Kind::UrlPassword,
        // The password runs to the last `@` before the host: unencoded `@` in
        // passwords is common. Quotes and `<>` end it, so JSON text stays intact.
        pattern: r#"[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/?#@"'<>]*:[^\s/?#"'<>]+@"#,
        group: Group::Keywords(&["://"]),
        validate: validate::url_password,
        resume: Resume::AfterMatch,
        last: false,
    },
    Spec {
        kind: Kind::BearerToken,
        // Auth schemes are case-insensitive (RFC 9110 11.1); spelled out as classes
        // because `(?i)` would also match Unicode case variants of other lengths.
        pattern: r"[Bb][Ee][Aa][Rr][Ee][Rr][ \t]+[A-Za-z0-9\-._~+/]+=*",
        group: Group::Keywords(&["bearer"]),
        validate: validate::bearer,
        resume: Resume::NextChar,
        last: false,
    },
    Spec {
        kind: Kind::BasicAuth,
        pattern: r"[Bb][Aa][Ss][Ii][Cc][ \t]+[A-Za-z0-9+/]+={0,2}",
        group: Group::Keywords(&["basic"]),
        validate: validate::basic_auth,
        resume: Resume::NextChar,
        last: false,
    },
    Spec {
        kind: Kind::Email,
        // Latin letters with diacritics are allowed (josé@example.com); other scripts
        // are left out so CJK text glued to an address is not swallowed.
        pattern: r"[\p{Latin}0-9._%+\-]+@(?:[\p{Latin}0-9](?:[\p{Latin}0-9\-]*[\p{Latin}0-9])?\.)+(?:[A-Za-z]{2,}|xn--[A-Za-z0-9\-]+)",
        group: Group::Keywords(&["@"]),
        validate: validate::email,
        resume: Resume::AfterAt,
        last: false,
    },
    Spec {
        kind: Kind::CreditCard,
        pattern: r"[0-9](?:[ \-]?[0-9]){12,18}",
        group: Group::Shape(|b| b.is_ascii_digit()),
        validate: validate::credit_card,
        resume: Resume::AfterWord,
        last: false,
    },
    Spec {
        kind: Kind::Iban,
        pattern: r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}",
        group: Group::Shape(|b| b.is_ascii_uppercase()),
        validate: validate::iban,
        resume: Resume::AfterWord,
        last: false,
    },
    Spec {
        kind: Kind::UsSsn,
        pattern: r"[0-9]{3}[- ][0-9]{2}[- ][0-9]{4}",
        group: Group::Shape(|b| b.is_ascii_digit()),
        validate: validate::us_ssn,
        resume: Resume::AfterWord,
        last: false,
    },
    Spec {
        kind: Kind::PhoneNumber,
        // E.164. Bounded (15 digits at most, a few separators) so that no match
        // outruns the number.
        pattern: r"\+[1-9][0-9]{0,14}(?:[ .\-]?(?:\([0-9]{1,4}\)|[0-9]{1,14})){0,14}",
        group: Group::Shape(|b| b == b'+'),
        validate: validate::phone_e164,
        resume: Resume::AfterWord,
        last: false,
    },
    Spec {
        kind: Kind::PhoneNumber,
        pattern: r"(?:1[ .\-])?(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[.\-])[0-9]{3}[.\-][0-9]{4}",
        group: Group::Shape(|b| b.is_ascii_digit() || b == b'('),
        validate: validate::phone_nanp,
        resume: Resume::AfterWord,
        last: false,
    },
    Spec {
        kind: Kind::IpAddress,
        pattern: r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}",
        group: Group::Shape(|b| b.is_ascii_digit()),
        validate: validate::ipv4,
        resume: Resume::AfterWord,
        last: false,
    },
    Spec {
        kind: Kind::IpAddress,
        // IPv6 with `::`, or all eight groups; either may end in an IPv4 tail. Times
        // such as `12:30:45` do not match at all. `std` parses what does.
        pattern: concat!(
            r"(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?::",
            r"(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?(?:\.[0-9]{1,3}){0,3}",
            r"|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){7}",
            r"|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){6}(?:\.[0-9]{1,3}){3}",
        ),
        group: Group::Shape(|b| b.is_ascii_hexdigit() || b == b':'),
        validate: validate::ipv6,
        resume: Resume::AfterWord,
        last: false,
    },
    Spec {
        kind: Kind::MacAddress,
        pattern: r"[0-9A-Fa-f]{2}(?:[:\-][0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}",
        group: Group::Shape(|b| b.is_ascii_hexdigit()),
        validate: super::identifiers::mac_address,
        resume: Resume::AfterWord,
        last: false,
    },
    Spec {
        kind: Kind::UsItin,
        pattern: r"9[0-9]{2}[- ][0-9]{2}[- ][0-9]{4}",
        group: Group::Shape(|b| b == b'9'),
        validate: super::identifiers::us_itin,
        resume: Resume::AfterWord,
        last: false,
    },
    Spec {
        kind: Kind::EthereumAddress,
        pattern: r"0x[0-9a-fA-F]{40}",
        group: Group::Keywords(&["0x"]),
        validate: super::identifiers::ethereum_address,
        resume: Resume::AfterWord,
        last: false,
    },
    Spec {
        kind: Kind::BitcoinAddress,
        pattern: r"[13][1-9A-HJ-NP-Za-km-z]{25,34}",
        group: Group::Shape(|b| b == b'1' || b == b'3'),
        validate: super::identifiers::bitcoin_base58,
        resume: Resume::AfterWord,
        last: false,
    },
    Spec {
        kind: Kind::BitcoinAddress,
        pattern: r"bc1[02-9ac-hj-np-z]{8,87}",
        group: Group::Keywords(&["bc1"]),
        validate: super::identifiers::bitcoin_bech32,
        resume: Resume::AfterWord,
        last: false,
    },
];

// Triggers are tracked in a `u128` bit set (scan.rs).
const _: () = assert!(CORE.len() + super::providers::PROVIDERS.len() <= 128);
