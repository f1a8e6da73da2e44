//! Scanning files and directories: what a finding says, what is skipped and counted,
//! baselines, both output formats, errors, and no value in any output.

use coresdk_engine::canonical::sha256_hex;
use coresdk_engine::{
    parse_baseline, scan_paths, scan_paths_json, ErrorCode, MaskOptions, Masker, ScanFormat,
    ScanOptions, ScanReport, ScanSkipped,
};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A fresh, empty directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("coresdk-scan-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
    std::fs::write(path, bytes).expect("write");
}

fn masker() -> Masker {
    Masker::new(MaskOptions::default()).expect("masker")
}

fn scan(paths: &[&Path], options: &ScanOptions) -> ScanReport {
    scan_paths(paths, &masker(), options).expect("scan")
}

fn fingerprint(kind: &str, file: &str, value: &str) -> String {
    sha256_hex(format!("{kind}\0{file}\0{value}").as_bytes())
}

/// Positions, fingerprints and the NDJSON text of a directory with two findings.
#[test]
fn findings_carry_type_file_line_columns_and_fingerprint() {
    let dir = temp_dir("positions");
    write(&dir.join("b.txt"), "nothing here\n");
    write(
        &dir.join("a/notes.txt"),
        "first line\ncafé → bob@example.com\r\ncard 4111 1111 1111 1111 ok\n",
    );
    let root = dir.display().to_string();
    let report = scan(&[&dir], &ScanOptions::default());
    let file = format!("{root}/a/notes.txt");
    let email = fingerprint("EMAIL", &file, "bob@example.com");
    let card = fingerprint("CREDIT_CARD", &file, "4111 1111 1111 1111");
    let ndjson = report.render(ScanFormat::Ndjson);
    assert_eq!(
        ndjson,
        format!(
            "{{\"type\":\"EMAIL\",\"file\":\"{file}\",\"line\":2,\"column\":8,\"end_line\":2,\"end_column\":23,\"fingerprint\":\"{email}\"}}\n\
             {{\"type\":\"CREDIT_CARD\",\"file\":\"{file}\",\"line\":3,\"column\":6,\"end_line\":3,\"end_column\":25,\"fingerprint\":\"{card}\"}}\n"
        )
    );
    assert_eq!(report.files_scanned, 2);
    assert_eq!(report.files_lossy, 0);
    assert_eq!(report.skipped, ScanSkipped::default());
    assert_eq!(
        report.summary(),
        "findings=2 suppressed=0 files=2 lossy=0 skipped: binary=0 too_large=0 links=0 \
         duplicates=0 special=0 dirs=0"
    );
}

/// A relative root is reported as given, without `./`; findings sort by file, line,
/// column whatever the order of the roots.
#[test]
fn files_are_named_from_the_root_as_given_and_sorted() {
    let dir = temp_dir("names");
    write(&dir.join("z.txt"), "x bob@example.com\n");
    write(
        &dir.join("a.txt"),
        "\n\n  alice@example.com carol@example.com\n",
    );
    let z = dir.join("z.txt");
    let dotted = dir.join(".").join("a.txt");
    let report = scan(&[&z, &dotted], &ScanOptions::default());
    let got: Vec<(String, u64, u64)> = report
        .findings
        .iter()
        .map(|f| (f.file.clone(), f.line, f.column))
        .collect();
    let root = dir.display().to_string();
    assert_eq!(
        got,
        vec![
            (format!("{root}/a.txt"), 3, 3),
            (format!("{root}/a.txt"), 3, 21),
            (format!("{root}/z.txt"), 1, 3),
        ]
    );
}

/// Every skip rule, each counted; the root itself is walked even when named `target`.
#[test]
fn skipped_files_and_directories_are_counted() {
    let dir = temp_dir("skips").join("target");
    write(&dir.join("ok.txt"), "bob@example.com\n");
    for skipped in [".git", "node_modules", "target"] {
        write(
            &dir.join("sub").join(skipped).join("x.txt"),
            "bob@example.com\n",
        );
    }
    write(&dir.join("image.bin"), b"GIF89a\0\0bob@example.com");
    write(
        &dir.join("big.txt"),
        format!("{}bob@example.com\n", " ".repeat(100)),
    );
    write(&dir.join("bom.txt"), "\u{feff}bob@example.com\n");
    let outside = temp_dir("skips-outside").join("secret.txt");
    write(&outside, "alice@example.com\n");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&outside, dir.join("link-out.txt")).expect("link");
        std::os::unix::fs::symlink(dir.join("ok.txt"), dir.join("link-in.txt")).expect("link");
        let fifo = dir.join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.expect("mkfifo").success());
    }
    let options = ScanOptions {
        max_file_bytes: 64,
        ..ScanOptions::default()
    };
    let report = scan(&[&dir], &options);
    let files: Vec<&str> = report
        .findings
        .iter()
        .map(|f| f.file.rsplit('/').next().unwrap_or_default())
        .collect();
    assert_eq!(files, ["bom.txt", "ok.txt"]);
    // The byte order mark is not a column.
    assert_eq!(report.findings[0].column, 1);
    assert_eq!(report.files_scanned, 2);
    let links = if cfg!(unix) { 2 } else { 0 };
    let special = u64::from(cfg!(unix));
    assert_eq!(
        report.skipped,
        ScanSkipped {
            binary: 1,
            too_large: 1,
            links,
            duplicates: 0,
            special,
            dirs: 3,
        }
    );
}

/// Regression: a file named by two roots (`scan . src`) was reported twice.
#[test]
fn a_file_under_two_roots_is_scanned_once() {
    let dir = temp_dir("dupes");
    write(&dir.join("src/a.txt"), "bob@example.com\n");
    let report = scan(
        &[&dir, &dir.join("src"), &dir.join("src/a.txt")],
        &ScanOptions::default(),
    );
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.files_scanned, 1);
    assert_eq!(report.skipped.duplicates, 2);
}

/// Invalid UTF-8 is read lossily and counted; a value on a valid stretch is found.
#[test]
fn files_that_are_not_utf8_are_read_lossily() {
    let dir = temp_dir("lossy");
    write(&dir.join("latin1.txt"), b"caf\xe9 bob@example.com\n");
    let report = scan(&[&dir], &ScanOptions::default());
    assert_eq!(report.files_lossy, 1);
    assert_eq!(report.findings.len(), 1);
    // U+FFFD for the one invalid byte: one column, as in a Latin-1 editor.
    assert_eq!((report.findings[0].line, report.findings[0].column), (1, 6));
}

/// The baseline holds fingerprints: a finding that moved lines is still suppressed; a
/// new value in the same file is not.
#[test]
fn a_baseline_suppresses_known_findings_after_they_move() {
    let dir = temp_dir("baseline");
    let file = dir.join("a.txt");
    write(&file, "bob@example.com\n");
    let first = scan(&[&file], &ScanOptions::default());
    let baseline = parse_baseline(first.render(ScanFormat::Ndjson).as_bytes()).expect("baseline");
    assert_eq!(baseline.len(), 1);
    write(
        &file,
        "new line\n\nmoved: bob@example.com\nalice@example.com\n",
    );
    let options = ScanOptions {
        baseline,
        ..ScanOptions::default()
    };
    let second = scan(&[&file], &options);
    assert_eq!(second.suppressed, 1);
    assert_eq!(second.findings.len(), 1);
    assert_eq!(
        (second.findings[0].line, second.findings[0].kind.as_str()),
        (4, "EMAIL")
    );
}

#[test]
fn a_malformed_baseline_is_invalid_argument_and_never_echoed() {
    let good = format!("{{\"fingerprint\":\"{}\"}}\n\n", "a".repeat(64));
    assert_eq!(parse_baseline(good.as_bytes()).expect("good").len(), 1);
    for bad in [
        "bob@example.com\n".to_string(),
        "[\"bob@example.com\"]\n".to_string(),
        "{\"fingerprint\":\"bob@example.com\"}\n".to_string(),
        format!("{{\"fingerprint\":\"{}\"}}\n", "A".repeat(64)),
        format!("{good}{{\"type\":\"EMAIL\"}}\n"),
    ] {
        let error = parse_baseline(bad.as_bytes()).expect_err(&bad);
        assert_eq!(error.code(), ErrorCode::InvalidArgument, "{bad}");
        assert!(!error.message().contains("bob"), "{}", error.message());
    }
    let missing = Path::new("/nonexistent/baseline.ndjson");
    let error = coresdk_engine::read_baseline(missing).expect_err("missing");
    assert_eq!(error.code(), ErrorCode::InvalidArgument);
}

#[test]
fn paths_that_do_not_exist_or_cannot_be_read_fail_with_their_codes() {
    let dir = temp_dir("errors");
    let m = masker();
    let options = ScanOptions::default();
    let code = |paths: &[PathBuf]| scan_paths(paths, &m, &options).expect_err("error").code();
    assert_eq!(code(&[dir.join("missing")]), ErrorCode::InvalidArgument);
    assert_eq!(code(&[]), ErrorCode::InvalidArgument);
    write(&dir.join("file.txt"), "x");
    assert_eq!(
        code(&[dir.join("file.txt/below")]),
        ErrorCode::InvalidArgument
    );
    #[cfg(unix)]
    {
        // A link loop cannot be read (root reads any file, so permissions prove nothing).
        std::os::unix::fs::symlink(dir.join("loop-b"), dir.join("loop-a")).expect("link");
        std::os::unix::fs::symlink(dir.join("loop-a"), dir.join("loop-b")).expect("link");
        assert_eq!(code(&[dir.join("loop-a")]), ErrorCode::SourceUnavailable);
    }
}

/// The SARIF log: driver, one rule per type, results with regions and fingerprints.
#[test]
fn sarif_has_the_driver_rules_results_and_counts() {
    let dir = temp_dir("sarif");
    write(
        &dir.join("a b.txt"),
        "bob@example.com and 4111 1111 1111 1111\n",
    );
    write(&dir.join("c.txt"), "alice@example.com\n");
    let report = scan(&[&dir], &ScanOptions::default());
    let text = report.render(ScanFormat::Sarif);
    let log: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "coresdk");
    assert_eq!(run["tool"]["driver"]["version"], coresdk_engine::VERSION);
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(rules, ["CREDIT_CARD", "EMAIL"]);
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    let first = &results[0];
    assert_eq!(first["ruleId"], "EMAIL");
    assert_eq!(first["ruleIndex"], 1);
    assert_eq!(first["level"], "error");
    assert_eq!(
        first["message"]["text"],
        "EMAIL found (the value is not shown)"
    );
    let location = &first["locations"][0]["physicalLocation"];
    let uri = location["artifactLocation"]["uri"].as_str().expect("uri");
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/a%20b.txt"),
        "{uri}"
    );
    assert_eq!(
        location["region"],
        serde_json::json!({"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 16})
    );
    assert_eq!(
        first["partialFingerprints"]["coresdk/v1"],
        report.findings[0].fingerprint.as_str()
    );
    assert_eq!(results[1]["ruleIndex"], 0);
    assert_eq!(run["properties"]["filesScanned"], 2);
    // Two-space indentation, and a newline at the end.
    assert!(text.starts_with("{\n  \"$schema\": ") && text.ends_with("}\n"));
}

/// The JSON options of the bindings: defaults, every field, and every refusal.
#[test]
fn json_options_choose_format_baseline_limit_and_detectors() {
    let dir = temp_dir("json-options");
    write(
        &dir.join("a.txt"),
        "bob@example.com EMP-123456 4111 1111 1111 1111\n",
    );
    let paths = [dir.display().to_string()];
    let run = scan_paths_json(&paths, None).expect("defaults");
    assert_eq!(run.report.findings.len(), 2);
    assert_eq!(run.output, run.report.render(ScanFormat::Ndjson));
    let baseline = dir.join("baseline.ndjson");
    std::fs::write(&baseline, &run.output).expect("baseline");
    let options = serde_json::json!({
        "format": "sarif",
        "baseline": baseline.display().to_string(),
        "allow": ["4111 1111 1111 1111"],
        "custom_detectors": [{"type": "EMPLOYEE_ID", "pattern": "EMP-[0-9]{6}"}],
    });
    let run = scan_paths_json(&paths, Some(&options.to_string())).expect("sarif");
    let kinds: Vec<&str> = run
        .report
        .findings
        .iter()
        .map(|f| f.kind.as_str())
        .collect();
    assert_eq!(kinds, ["EMPLOYEE_ID"]);
    // The email is in the baseline; the card is allowed, so it is not even a finding.
    assert_eq!(run.report.suppressed, 1);
    assert!(run.output.contains("\"version\": \"2.1.0\""));
    let small = scan_paths_json(&paths, Some("{\"max_file_bytes\": 10}")).expect("limit");
    assert_eq!(small.report.skipped.too_large, 2);
    for (bad, code) in [
        ("[]", ErrorCode::InvalidArgument),
        ("{\"format\": \"xml\"}", ErrorCode::InvalidArgument),
        ("{\"max_file_bytes\": 0}", ErrorCode::InvalidArgument),
        ("{\"max_file_bytes\": -1}", ErrorCode::InvalidArgument),
        ("{\"strategy\": \"redact\"}", ErrorCode::InvalidArgument),
        (
            "{\"baseline\": \"/nonexistent\"}",
            ErrorCode::InvalidArgument,
        ),
        (
            "{\"custom_detectors\": [{\"type\": \"X\"}]}",
            ErrorCode::InvalidArgument,
        ),
        ("{", ErrorCode::InvalidJson),
    ] {
        let error = scan_paths_json(&paths, Some(bad)).expect_err(bad);
        assert_eq!(error.code(), code, "{bad}");
    }
}

/// Every value of every default-options `mask_text` fixture, written to files and
/// scanned: no value (of 4 characters or more), as written or JSON-escaped, appears in
/// the NDJSON or the SARIF output. A detector that finds nothing would pass vacuously,
/// so the test also counts what it checked.
#[test]
fn no_output_holds_any_value_of_the_mask_fixtures() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/mask");
    let dir = temp_dir("leaks");
    let m = masker();
    let mut values = Vec::new();
    let mut names = std::fs::read_dir(&fixtures)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect::<Vec<_>>();
    names.sort();
    let mut n = 0;
    for name in names {
        let doc: Value =
            serde_json::from_slice(&std::fs::read(&name).expect("read")).expect("json");
        let cases = doc.as_array().cloned().unwrap_or_else(|| vec![doc.clone()]);
        for case in cases {
            let Some(text) = case["args"]["text"].as_str() else {
                continue;
            };
            if case["op"] != "mask_text" || case["args"].get("options").is_some() {
                continue;
            }
            n += 1;
            write(&dir.join(format!("case-{n:04}.txt")), text);
            for f in m.scan(text) {
                values.push(text[f.start..f.end].to_string());
            }
        }
    }
    values.retain(|v| v.chars().count() >= 4);
    assert!(values.len() > 100, "only {} values", values.len());
    let report = scan(&[&dir], &ScanOptions::default());
    assert!(report.findings.len() >= values.len());
    for format in [ScanFormat::Ndjson, ScanFormat::Sarif] {
        let output = report.render(format);
        for value in &values {
            let escaped = serde_json::to_string(value).expect("escape");
            assert!(
                !output.contains(value.as_str()),
                "{format:?} holds {value:?}"
            );
            assert!(
                !output.contains(&escaped[1..escaped.len() - 1]),
                "{format:?}: {value:?}"
            );
        }
    }
}
