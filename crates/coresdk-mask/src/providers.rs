//! Secrets with a provider's known shape: a fixed prefix (the scan's keyword) and a body
//! of a known alphabet and length. One row per provider token kind; each reports its own
//! type label (`STRIPE_KEY`, ...). docs/MASKING.md lists them.
//!
//! Every row is validated by [`provider_token`]: a whole word (nothing word-like glued
//! on either side, so a longer run is not cut into a partial match) that is not a
//! documentation placeholder (`EXAMPLE` in it, or a body of one repeated character).

use super::detectors::{Group, Kind, Resume, Spec};
use super::validate::{standalone_word, Span};

/// A whole-word provider token that is not a placeholder.
pub(crate) fn provider_token(text: &str, s: usize, e: usize) -> Option<Span> {
    let span = standalone_word(text, s, e)?;
    let value = text.as_bytes().get(s..e)?;
    let placeholder =
        value.windows(7).any(|w| w.eq_ignore_ascii_case(b"EXAMPLE")) || repeated_body(value);
    (!placeholder).then_some(span)
}

/// True when, after its prefix (up to the last `_`, `-` or `.` in the first 12 bytes),
/// the token is one character repeated (`ghp_xxxxxxxx...`, `sk_live_0000...`).
fn repeated_body(value: &[u8]) -> bool {
    let head = value.len().min(12);
    let cut = value[..head]
        .iter()
        .rposition(|b| matches!(b, b'_' | b'-' | b'.'))
        .map_or(0, |i| i + 1);
    let body = &value[cut..];
    body.len() >= 8 && body.iter().all(|&b| b == body[0])
}

macro_rules! provider {
    ($label:literal, [$($kw:literal),+], $pattern:literal) => {
        Spec {
            kind: Kind::Provider($label),
            pattern: $pattern,
            group: Group::Keywords(&[$($kw),+]),
            validate: provider_token,
            resume: Resume::AfterWord,
            last: false,
        }
    };
}

/// The provider rows, in no particular order (overlaps resolve by position, then
/// length; no two rows share a prefix).
pub(super) const PROVIDERS: &[Spec] = &[
    provider!("GCP_API_KEY", ["AIza"], r"AIza[0-9A-Za-z_\-]{35}"),
    provider!(
        "GOOGLE_OAUTH_SECRET",
        ["GOCSPX-"],
        r"GOCSPX-[A-Za-z0-9_\-]{28}"
    ),
    provider!(
        "GOOGLE_OAUTH_TOKEN",
        ["ya29."],
        r"ya29\.[A-Za-z0-9_\-]{30,}"
    ),
    provider!(
        "GITLAB_TOKEN",
        [
            "glpat-",
            "gldt-",
            "glrt-",
            "glptt-",
            "glcbt-",
            "glsoat-",
            "glffct-",
            "gloas-",
            "GR1348941"
        ],
        r"(?:glpat|gldt|glrt|glptt|glcbt|glsoat|glffct|gloas)-[A-Za-z0-9_\-]{20,64}|GR1348941[A-Za-z0-9_\-]{20}"
    ),
    provider!(
        "SLACK_WEBHOOK",
        ["hooks.slack.com"],
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/\-]{20,}"
    ),
    provider!(
        "DISCORD_WEBHOOK",
        ["discord.com/api/webhooks/", "discordapp.com/api/webhooks/"],
        r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_\-]{60,68}"
    ),
    provider!(
        "STRIPE_KEY",
        ["sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_"],
        r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{24,247}|whsec_[A-Za-z0-9+/=]{32,}"
    ),
    provider!("TWILIO_API_KEY", ["SK"], r"SK[0-9a-f]{32}"),
    provider!(
        "SENDGRID_API_KEY",
        ["SG."],
        r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}"
    ),
    provider!(
        "OPENAI_API_KEY",
        ["sk-proj-", "sk-svcacct-", "sk-admin-", "T3BlbkFJ"],
        r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,200}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}"
    ),
    provider!(
        "ANTHROPIC_API_KEY",
        ["sk-ant-"],
        r"sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_\-]{80,120}"
    ),
    provider!("NPM_TOKEN", ["npm_"], r"npm_[A-Za-z0-9]{36}"),
    provider!(
        "PYPI_TOKEN",
        ["pypi-AgEIcHlwaS5vcmc"],
        r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}"
    ),
    provider!(
        "DOCKERHUB_TOKEN",
        ["dckr_pat_", "dckr_oat_"],
        r"dckr_(?:pat|oat)_[A-Za-z0-9_\-]{27,32}"
    ),
    provider!("HUGGINGFACE_TOKEN", ["hf_"], r"hf_[A-Za-z]{34}"),
    provider!(
        "SHOPIFY_TOKEN",
        ["shpat_", "shpca_", "shppa_", "shpss_"],
        r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}"
    ),
    provider!(
        "DATADOG_API_KEY",
        ["ddapi_", "ddapp_"],
        r"dd(?:api|app)_[A-Za-z0-9]{36,40}"
    ),
    provider!("MAILGUN_API_KEY", ["key-"], r"key-[0-9a-f]{32}"),
    provider!("MAILCHIMP_API_KEY", ["-us"], r"[0-9a-f]{32}-us[0-9]{1,2}"),
    provider!(
        "SQUARE_TOKEN",
        ["sq0atp-", "sq0csp-", "EAAA"],
        r"sq0atp-[0-9A-Za-z_\-]{22}|sq0csp-[0-9A-Za-z_\-]{43}|EAAA[A-Za-z0-9_\-]{60}"
    ),
    provider!("HEROKU_API_KEY", ["HRKU-"], r"HRKU-[A-Za-z0-9_\-]{60}"),
    provider!(
        "DIGITALOCEAN_TOKEN",
        ["dop_v1_", "doo_v1_", "dor_v1_"],
        r"do[opr]_v1_[a-f0-9]{64}"
    ),
    provider!("LINEAR_API_KEY", ["lin_api_"], r"lin_api_[A-Za-z0-9]{40}"),
    provider!(
        "ATLASSIAN_API_TOKEN",
        ["ATATT3"],
        r"ATATT3[A-Za-z0-9_\-=]{180,200}"
    ),
    provider!(
        "POSTMAN_API_KEY",
        ["PMAK-"],
        r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}"
    ),
    provider!(
        "GRAFANA_TOKEN",
        ["glc_", "glsa_"],
        r"glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}"
    ),
    provider!("NEWRELIC_API_KEY", ["NRAK-"], r"NRAK-[A-Z0-9]{27}"),
    provider!(
        "SENTRY_TOKEN",
        ["sntrys_", "sntryu_"],
        r"sntrys_[A-Za-z0-9+/=_]{50,}|sntryu_[a-f0-9]{64}"
    ),
    provider!(
        "DOPPLER_TOKEN",
        ["dp.pt.", "dp.st.", "dp.sa."],
        r"dp\.(?:pt|st|sa)\.[A-Za-z0-9]{40,44}"
    ),
    provider!(
        "VAULT_TOKEN",
        ["hvs.", "hvb."],
        r"hv[sb]\.[A-Za-z0-9_\-]{24,}"
    ),
    provider!(
        "TERRAFORM_TOKEN",
        [".atlasv1."],
        r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_\-=]{60,70}"
    ),
    provider!("PULUMI_TOKEN", ["pul-"], r"pul-[a-f0-9]{40}"),
    provider!(
        "TELEGRAM_BOT_TOKEN",
        [":AA"],
        r"[0-9]{8,10}:AA[0-9A-Za-z_\-]{33}"
    ),
    provider!(
        "MAPBOX_TOKEN",
        ["sk.eyJ"],
        r"sk\.eyJ[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{20,}"
    ),
    provider!("DATABRICKS_TOKEN", ["dapi"], r"dapi[a-f0-9]{32}(?:-[0-9])?"),
    provider!("ALIBABA_ACCESS_KEY_ID", ["LTAI"], r"LTAI[A-Za-z0-9]{12,20}"),
    provider!("NETLIFY_TOKEN", ["nfp_"], r"nfp_[A-Za-z0-9]{36}"),
    provider!("FLYIO_TOKEN", ["fo1_"], r"fo1_[A-Za-z0-9_\-]{43}"),
    provider!("SUPABASE_TOKEN", ["sbp_"], r"sbp_[a-f0-9]{40}"),
    provider!(
        "PLANETSCALE_TOKEN",
        ["pscale_tkn_", "pscale_pw_", "pscale_oauth_"],
        r"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_\-.]{32,64}"
    ),
    provider!(
        "AGE_SECRET_KEY",
        ["AGE-SECRET-KEY-1"],
        r"AGE-SECRET-KEY-1[0-9A-Z]{58}"
    ),
    provider!(
        "DYNATRACE_TOKEN",
        ["dt0c01."],
        r"dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}"
    ),
    provider!("RUBYGEMS_API_KEY", ["rubygems_"], r"rubygems_[a-f0-9]{48}"),
    provider!("PREFECT_API_KEY", ["pnu_"], r"pnu_[A-Za-z0-9]{36}"),
    provider!(
        "SHIPPO_API_KEY",
        ["shippo_live_", "shippo_test_"],
        r"shippo_(?:live|test)_[a-f0-9]{40}"
    ),
    provider!(
        "EASYPOST_API_KEY",
        ["EZAK", "EZTK"],
        r"EZ[AT]K[a-zA-Z0-9]{54}"
    ),
    provider!("CLOJARS_TOKEN", ["CLOJARS_"], r"CLOJARS_[a-z0-9]{60}"),
    provider!("README_API_KEY", ["rdme_"], r"rdme_[a-z0-9]{70}"),
];
