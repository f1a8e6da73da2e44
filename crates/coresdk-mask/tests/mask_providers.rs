//! Provider tokens (src/providers.rs): one sample per row, masked whole with its
//! label alone, in a sentence, after `key=` and inside JSON; glued to a longer word or
//! written as a documentation placeholder it is left alone. Samples are random bodies of
//! each provider's documented shape (generated once with a seeded generator).

mod maskers;

use maskers::redactor;

const SAMPLES: &[(&str, &str)] = &[
    ("GCP_API_KEY", "AIzaPtYgjmUhBel31iEl2hpChYgCfrL1spNxnyV"),
    ("GOOGLE_OAUTH_SECRET", "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"),
    ("GOOGLE_OAUTH_TOKEN", "ya29.fjORS-6ilI8ihN5KXSc7Tvo-hBKqFYY-kv5ZJr3J1TWDtkwtDDb_xHKas1VO"),
    ("GITLAB_TOKEN", "glpat-qg6YYZYn9ZhyiA4uoRgn"),
    ("GITLAB_TOKEN", "glrt-aKjIg8xNbe3nNyjOq9wM"),
    ("SLACK_WEBHOOK", "https://hooks.slack.com/services/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"),
    ("DISCORD_WEBHOOK", "https://discord.com/api/webhooks/253888539336338750/dJ8HyS5SUkCnD8zRA9a9SkpXz9w3QlY7Zkuvqdt7s8Stqcbnr3yBdGBLEPH1qhT61qtc"),
    ("STRIPE_KEY", "sk_live_3CXlMaXZjljENUhJduRHHJEY"),
    ("STRIPE_KEY", "rk_test_Xg4JdpmrcXgGCJbW56eCuNGMGmSrCGIZEG8pSH4487q7J58m1CiAhzCueQpBenQtYh5Xj8TPQxjq4i9DoV8gz4FkQ1okTBGzvAm"),
    ("STRIPE_KEY", "whsec_wufUxbvJDCTbyvHNsG9eh6Yo4gfqrc5X"),
    ("TWILIO_API_KEY", "SK584d8c4fa2815d2802827283e0ad8417"),
    ("SENDGRID_API_KEY", "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"),
    ("OPENAI_API_KEY", "sk-proj-aQWk8JzFalHlsZfYcMMDktXP-tKsf2rcDkdfrUnW5gcF_Ha6ili8GjHEAD6-Wj9KfzjsQGMrb9h_ImB_LK777pzNk8cL6j5IXAAjlsHUqJoUD-_Ydua_5ZMs"),
    ("OPENAI_API_KEY", "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"),
    ("ANTHROPIC_API_KEY", "sk-ant-api03-KtFI3OyV2dZAkg05rK_gqv81RKMGHZEM9YpvujA-C5Q52ryFlwRlOEVHzc0X0AWIRh-JUqBlIFXZ53Ncqe28_ajY75FnCtt"),
    ("NPM_TOKEN", "npm_HRg80USP2W5DfJXcaYioK6cPTt9iOqHOBSWh"),
    ("PYPI_TOKEN", "pypi-AgEIcHlwaS5vcmcmjMyXHCabM6JOF8EFd0Nhcy-1kGD2VD-eR1UYzaLiA-zNyD7CHLn-xC_1hsYgBds1ghxY5"),
    ("DOCKERHUB_TOKEN", "dckr_pat_OokvQyx7eNWVQ4vnakJkS1pAWTN"),
    ("HUGGINGFACE_TOKEN", "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"),
    ("SHOPIFY_TOKEN", "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"),
    ("DATADOG_API_KEY", "ddapi_GmzWkpAePcEJIukB4geqNfngAFTCloiADN5RpV"),
    ("MAILGUN_API_KEY", "key-39988b886e7577496a2c8773e130f7eb"),
    ("MAILCHIMP_API_KEY", "19731662b5e803b61ba4168160adb592-us14"),
    ("SQUARE_TOKEN", "sq0atp-Ae-9i0mYtluYI0KN1gNT11"),
    ("SQUARE_TOKEN", "sq0csp-cUzYZAa3u2olZU6uqbgsYlVvsSKuvinX_zMqf9OgXlu"),
    ("HEROKU_API_KEY", "HRKU-CZz8xBfZuXTptFyfePpX6N1NF2XV54wca_7E56w8ZniqT3Ul4ffqkOkgWrdi"),
    ("DIGITALOCEAN_TOKEN", "dop_v1_364f9572b85a8e48f687ab165c58ac5831be38cb8cb4ba2e751989a01749ddb1"),
    ("LINEAR_API_KEY", "lin_api_iFoNPcbdaKwtgHwIoALtLinxN1Ekia7ZpTjCgeOj"),
    ("ATLASSIAN_API_TOKEN", "ATATT3IZHbhS4-FvafhdZxEuhnbzs0z1wNiMg9aW37k5wCnHDepQHgI3HLBkbvHEzuPyXQEW88ad3DNBYjvsedonuSsddfrfifiUziXnFAAoeelK9mqmALOR2HcSGKgVP8Kd0d3mS8gBlKv3azKgaS_m_x-SHuKBD-vok_nPTmZYl2dVAMH2vWD6qeSPt5Pv"),
    ("POSTMAN_API_KEY", "PMAK-ee874ae7689447ab57a68353-6c4499d863386ce10cd79e048c07dd7753"),
    ("GRAFANA_TOKEN", "glc_DBuqOSg5ApYzTTOkq2BEDbN2AHRQ73l5PuXay1F6gcqInkTY88mHwg2KDInTEGbO=="),
    ("GRAFANA_TOKEN", "glsa_Y1xHvAV8DnRlzGW7hUNwOdqryzdaeA6A_b8379c7c"),
    ("NEWRELIC_API_KEY", "NRAK-3NKIEM49OJW03S9I4WORYQ1L4AR"),
    ("SENTRY_TOKEN", "sntrys_wpPtuEFBNOfQ5xj7t2ydf0K5uY8iH1wOLaQan8ePsqMgLj2olXCwYjn5zYIkN5SMYfQ55JYO1tmFSnHf"),
    ("SENTRY_TOKEN", "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"),
    ("DOPPLER_TOKEN", "dp.pt.YhvmuTtiLOfYczUJ4zIKdztgacm06EMXQdYG6INyNjO"),
    ("VAULT_TOKEN", "hvs.kBf6wmxe1mbVrNHMx1eOc3g-fp1Z5ibXt80nk8Btb2abplBpq8cJF5xgUskL-6GgebhbkXNNv_hOV48vsoUu19X5IQ"),
    ("TERRAFORM_TOKEN", "srdNPTZ0Mv3MUa.atlasv1.tN2FWXWD5KaPHI2ufKssJ-Sk_WzDNhY7AGbX6lTiDYHP9zyBylxLUTZtFf-VnV7ktOd"),
    ("PULUMI_TOKEN", "pul-b80316f688d3e481a65c2011bef2c328a72c5e5b"),
    ("TELEGRAM_BOT_TOKEN", "443156191:AAgH9hmsOazM4n8PVGXpV9Wv4Esb7yeuCjV"),
    ("MAPBOX_TOKEN", "sk.eyJ4ViXC9g77y1bOeCvu0oEhOxjvoVdlTCJ4jC3jrAA.FtdILQvH_nO69othB9KpGz"),
    ("DATABRICKS_TOKEN", "dapibd8773c9d51940ea4e095bd1d6854575"),
    ("ALIBABA_ACCESS_KEY_ID", "LTAImMf1f4MUFWrlniNQTOZm"),
    ("NETLIFY_TOKEN", "nfp_LtmaeSUHA1U6dHZwvs1O38FfaA6WEi3QrplK"),
    ("FLYIO_TOKEN", "fo1_UeuVaT5jpTFPWhLn-5drcFlCxvnNGdcmyHc7E4nSmwf"),
    ("SUPABASE_TOKEN", "sbp_83ef8333c4774ec50cd1c1bac7adac1a4b7d0b35"),
    ("PLANETSCALE_TOKEN", "pscale_tkn_euBmGQboiAzX7DOcZ44cc3PNr6RNrOIZ7cNgqhHaBp8"),
    ("AGE_SECRET_KEY", "AGE-SECRET-KEY-1CSHTWKHD6RF38J2H6IS0SRPF8S3OYM9X39T44TBPVOM68YZAWKPU9U5RSN"),
    ("DYNATRACE_TOKEN", "dt0c01.SDBK9EW2D7Y2WG7OJ0VWIMR7.G4RI0GA09H5ZJ0RHY23SWSWZ79YUA5Y2TL8TJ1YOFVUPUN1ABDQ5T8T81771Y3WC"),
    ("RUBYGEMS_API_KEY", "rubygems_be0273dbc46dfcea25bab29539ad5966d513b1d00909c300"),
    ("PREFECT_API_KEY", "pnu_mlFXJKr3P5IGjKmAMhjkHWGgbgek8HF0DNBZ"),
    ("SHIPPO_API_KEY", "shippo_live_10a47b851832b6ec017c1e1777155a0e9d8f27c7"),
    ("EASYPOST_API_KEY", "EZAKAtz4TFbY3pflkwyla4szJxhvI3yvzPe9hB06wJpymDswpBcrQbvZjp"),
    ("CLOJARS_TOKEN", "CLOJARS_ifmr8i923pkxwnzynt46no2iq2x8pz6nih6f8rybjtayfloumge9x6tmetfo"),
    ("README_API_KEY", "rdme_sizswz3irlbxw0b3pzwglshroczck1mtjyc9tlo57q1wahscdphcunwf0zor7fw12v626d"),];

fn kinds(text: &str) -> Vec<&'static str> {
    redactor().scan(text).iter().map(|f| f.kind).collect()
}

#[test]
fn every_provider_row_has_a_sample() {
    let labels: std::collections::BTreeSet<&str> = SAMPLES.iter().map(|(l, _)| *l).collect();
    assert!(labels.len() >= 48, "{} provider labels", labels.len());
}

#[test]
fn provider_tokens_are_masked_whole() {
    let masker = redactor();
    for (label, token) in SAMPLES {
        let want = format!("[REDACTED:{label}]");
        assert_eq!(masker.mask_text(token), want, "{token}");
        assert_eq!(
            masker.mask_text(&format!("using {token} now")),
            format!("using {want} now"),
            "{token} in a sentence"
        );
        assert_eq!(
            masker.mask_text(&format!("token={token}&x=1")),
            format!("token={want}&x=1"),
            "{token} as a query value"
        );
        let json = format!(r#"{{"note":"key {token}"}}"#);
        assert_eq!(
            masker.mask_json(json.as_bytes()).unwrap(),
            format!(r#"{{"note":"key {want}"}}"#),
            "{token} in JSON"
        );
        assert_eq!(masker.mask_text(&want), want, "idempotent");
    }
}

#[test]
fn glued_tokens_are_not_cut_into_partial_matches() {
    for (label, token) in SAMPLES {
        let glued = format!("Z{token}");
        assert!(
            !kinds(&glued).contains(label),
            "{label} found in glued {glued}"
        );
    }
}

#[test]
fn placeholders_are_left_alone() {
    for text in [
        "AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "sk_live_000000000000000000000000",
        "npm_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "hf_EXAMPLEexampleEXAMPLEexampleEXAMPL",
    ] {
        assert_eq!(kinds(text), Vec::<&str>::new(), "{text}");
    }
}

#[test]
fn aws_secret_access_key_only_in_context() {
    let secret = "Zq3v9LkP0sT7yB2nX8cW1dF5gH4jK6mR0aE9uI2o";
    assert_eq!(secret.len(), 40);
    let masker = redactor();
    for text in [
        format!("aws_secret_access_key = {secret}"),
        format!("AWS_SECRET_ACCESS_KEY={secret}"),
        format!(r#""SecretAccessKey": "{secret}""#),
    ] {
        let masked = masker.mask_text(&text);
        assert!(
            masked.contains("[REDACTED:AWS_SECRET_ACCESS_KEY]") && !masked.contains(secret),
            "{text} -> {masked}"
        );
    }
    // Without the name, 40 base64 characters are not called a secret by this detector.
    assert!(!kinds(&format!("blob {secret}")).contains(&"AWS_SECRET_ACCESS_KEY"));
}

#[test]
fn secrets_after_secret_like_names() {
    let masker = redactor();
    for (text, want) in [
        ("password=hunter2", "password=[REDACTED:SECRET]"),
        ("db_password: s3cr3t!", "db_password: [REDACTED:SECRET]"),
        (
            r#"{"client_secret":"Ab12Cd34Ef56"}"#,
            r#"{"client_secret":"[REDACTED:SECRET]"}"#,
        ),
        (
            r#"log {\"api_key\":\"4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c\"}"#,
            r#"log {\"api_key\":\"[REDACTED:SECRET]\"}"#,
        ),
        (
            "X-Api-Key: Qm9vZ2llV29vZ2llMTIzNDU2",
            "X-Api-Key: [REDACTED:SECRET]",
        ),
        (
            "auth_token=9f8e7d6c5b4a39281706f5e4",
            "auth_token=[REDACTED:SECRET]",
        ),
    ] {
        assert_eq!(masker.mask_text(text), want, "{text}");
    }
    for text in [
        "password=${DB_PASSWORD}",
        "password: %(db_password)s",
        "password=<your password>",
        "password={{ .Values.password }}",
        "token_type=Bearer",
        "password_length=12",
        "api_key_id=prod-key-7",
        "token=short",
        "secret_name=prod-db-credentials",
        "PWD=/home/alice/src",
        "password=null",
        "password: ********",
        "tokens: 1532",
        "access_key=aaaaaaaaaaaaaaaaaaaaaa",
    ] {
        assert_eq!(masker.mask_text(text), text, "{text}");
    }
}
