//! Bad and hostile input: many findings in one text, custom detectors whose patterns are
//! pathological (nested repetition, zero-width, oversized, look-around), each with a typed
//! error or a complete result; never a panic, never a partial result.

mod maskers;

use coresdk_base::ErrorCode;
use coresdk_mask::{CustomDetector, MaskOptions, Masker};
use maskers::redactor;

fn with_custom(pattern: &str) -> coresdk_base::Result<Masker> {
    Masker::new(MaskOptions {
        custom: vec![CustomDetector {
            label: "EMPLOYEE_ID".into(),
            pattern: pattern.into(),
            validator: None,
        }],
        ..Default::default()
    })
}

#[test]
fn a_hundred_thousand_findings_in_one_text_are_all_masked() {
    let text: String = (0..100_000).map(|i| format!("u{i}@example.com ")).collect();
    let masker = redactor();
    let findings = masker.scan(&text);
    assert_eq!(findings.len(), 100_000);
    assert!(findings.iter().all(|f| f.kind == "EMAIL"));
    let masked = masker.mask_text(&text);
    assert_eq!(masked, "[REDACTED:EMAIL] ".repeat(100_000));
}

#[test]
fn nested_repetition_runs_in_linear_time_on_its_worst_input() {
    // Exponential for a backtracking engine; the regex crate is linear. A quadratic or
    // worse scan would not finish within the test harness's patience on 200,000 bytes.
    for (pattern, input) in [
        ("(a|aa)+b", "a"),
        ("(x+x+)+y", "x"),
        ("(?:EMP-[0-9]*)*Z", "EMP-1"),
    ] {
        let masker = with_custom(pattern).expect(pattern);
        let text = input.repeat(200_000 / input.len());
        assert_eq!(masker.mask_text(&text), text, "{pattern}");
    }
    let masker = with_custom("EMP-[0-9]{6}").expect("compiles");
    let text = "EMP-123456 ".repeat(50_000);
    assert_eq!(
        masker.mask_text(&text),
        "[REDACTED:EMPLOYEE_ID] ".repeat(50_000)
    );
}

#[test]
fn patterns_that_can_match_nothing_are_refused_or_never_report_empty_findings() {
    for pattern in ["x*", "(?:)", "^", "a?", r"(?-u:\B)", "(?m:$)"] {
        let error = with_custom(pattern).expect_err(pattern);
        assert_eq!(error.code(), ErrorCode::InvalidArgument, "{pattern}");
        assert!(error.message().contains("empty"), "{}", error.message());
    }
    // Zero-width only inside text: a Unicode word boundary next to `é`, where the
    // standalone-word rule (ASCII) sees blanks on both sides. It compiles; it finds nothing.
    for pattern in [r"\b", r"\b{end}", r"\b|--"] {
        let masker = with_custom(pattern).expect(pattern);
        let text = "café latte é ";
        assert!(
            masker.scan(text).is_empty(),
            "{pattern}: {:?}",
            masker.scan(text)
        );
        assert_eq!(masker.mask_text(text), text, "{pattern}");
    }
}

#[test]
fn patterns_the_engine_cannot_run_are_invalid_arguments() {
    for pattern in ["(?=x)x", r"(a)\1", "(", "a{1000}{1000}{1000}", "[z-a]"] {
        let error = with_custom(pattern).expect_err(pattern);
        assert_eq!(error.code(), ErrorCode::InvalidArgument, "{pattern}");
        assert!(
            error.message().contains("EMPLOYEE_ID"),
            "{}",
            error.message()
        );
    }
}
