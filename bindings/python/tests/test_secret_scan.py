"""``coresdk.scan_paths`` and ``coresdk scan``: positions, counts, options, baselines,
error codes, and no value of any mask fixture in any output (Node's twin:
packages/coresdk/test/secret-scan.test.ts)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import coresdk
import pytest

ROOT = Path(__file__).resolve().parents[3]
TREE = ROOT / "fixtures" / "cli" / "files" / "scan" / "tree"


def _fingerprint(kind: str, file: str, value: str) -> str:
    """The fingerprint as docs/MASKING.md defines it, computed here independently."""
    return hashlib.sha256(f"{kind}\0{file}\0{value}".encode()).hexdigest()


def test_findings_carry_type_file_columns_in_code_points_and_fingerprint(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.txt").write_text("Grüße 😀 bob@example.com\n", encoding="utf-8")
    r = coresdk.scan_paths([tmp_path])
    file = f"{tmp_path}/a.txt"
    assert json.loads(r.output) == {
        "type": "EMAIL",
        "file": file,
        "line": 1,
        "column": 9,
        "end_line": 1,
        "end_column": 24,
        "fingerprint": _fingerprint("EMAIL", file, "bob@example.com"),
    }
    assert (r.findings, r.suppressed, r.files_scanned, r.files_lossy) == (1, 0, 1, 0)
    assert r.summary == (
        "findings=1 suppressed=0 files=1 lossy=0 skipped: binary=0 too_large=0 links=0 "
        "duplicates=0 special=0 dirs=0"
    )


def test_skips_are_counted_and_options_apply(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "bob@example.com EMP-123456 4111 1111 1111 1111\n", encoding="utf-8"
    )
    (tmp_path / "b.bin").write_bytes(b"a\0b")
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9 alice@example.com\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("carol@example.com", encoding="utf-8")
    os.symlink("/etc/hostname", tmp_path / "out")
    r = coresdk.scan_paths(
        [str(tmp_path)],
        allow=["4111 1111 1111 1111"],
        custom_detectors=[{"type": "EMPLOYEE_ID", "pattern": "EMP-[0-9]{6}"}],
    )
    found = [(d["file"].rsplit("/", 1)[1], d["type"], d["column"]) for d in _records(r.output)]
    # U+FFFD stands for the invalid byte: one column, as in a Latin-1 editor.
    assert found == [
        ("a.txt", "EMAIL", 1),
        ("a.txt", "EMPLOYEE_ID", 17),
        ("latin1.txt", "EMAIL", 6),
    ]
    assert (r.files_scanned, r.files_lossy) == (2, 1)
    assert (r.skipped_binary, r.skipped_dirs, r.skipped_links) == (1, 1, 1)
    assert coresdk.scan_paths([tmp_path], max_file_bytes=10).skipped_too_large == 2


def test_sarif_and_a_baseline_that_suppresses_everything(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.ndjson"
    baseline.write_text(coresdk.scan_paths([TREE]).output, encoding="utf-8")
    r = coresdk.scan_paths([TREE], format="sarif", baseline=baseline)
    sarif = json.loads(r.output)
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["tool"]["driver"]["version"] == coresdk.__version__
    assert sarif["runs"][0]["results"] == []
    assert (r.findings, r.suppressed) == (0, 3)


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: coresdk.scan_paths(["/nonexistent/path"]), "INVALID_ARGUMENT"),
        (lambda: coresdk.scan_paths([]), "INVALID_ARGUMENT"),
        (lambda: coresdk.scan_paths(str(TREE)), "INVALID_ARGUMENT"),
        (lambda: coresdk.scan_paths([TREE], format="xml"), "INVALID_ARGUMENT"),  # type: ignore[arg-type]
        (lambda: coresdk.scan_paths([TREE], max_file_bytes=0), "INVALID_ARGUMENT"),
        (lambda: coresdk.scan_paths([TREE], baseline=TREE / "contacts.txt"), "INVALID_ARGUMENT"),
    ],
)
def test_errors_carry_the_core_codes(call: object, code: str) -> None:
    with pytest.raises(coresdk.CoreSdkError) as raised:
        call()  # type: ignore[operator]
    assert raised.value.code == code
    assert isinstance(raised.value, coresdk.InvalidInputError)


def test_a_file_that_cannot_be_read_is_source_unavailable(tmp_path: Path) -> None:
    # A link loop (the tests run as root, which reads any file whatever its mode).
    os.symlink(tmp_path / "b", tmp_path / "a")
    os.symlink(tmp_path / "a", tmp_path / "b")
    with pytest.raises(coresdk.CoreSdkError) as raised:
        coresdk.scan_paths([tmp_path / "a"])
    assert raised.value.code == "SOURCE_UNAVAILABLE"


def _records(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def _fixture_values(into: Path) -> list[str]:
    """Every value the default masker finds in the ``mask_text`` fixtures that take no
    options (4 characters or more), each case written to its own file under ``into``."""
    masker = coresdk.Masker()
    values: list[str] = []
    n = 0
    for path in sorted((ROOT / "fixtures" / "mask").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for case in doc if isinstance(doc, list) else [doc]:
            text = case["args"].get("text")
            if case["op"] != "mask_text" or not isinstance(text, str) or "options" in case["args"]:
                continue
            n += 1
            (into / f"case-{n:04}.txt").write_bytes(text.encode("utf-8"))
            encoded = text.encode("utf-8")
            values += [encoded[f.start : f.end].decode("utf-8") for f in masker.scan(text)]
    return [v for v in values if len(v) >= 4]


@pytest.fixture(scope="module")
def leak_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    into = tmp_path_factory.mktemp("scan-leaks")
    return into, _fixture_values(into)


def _leaked(values: list[str], output: str) -> list[str]:
    """The values found in ``output``, as written or JSON-escaped."""
    return [v for v in values if v in output or json.dumps(v, ensure_ascii=False)[1:-1] in output]


def test_the_leak_check_checks_enough_values(leak_dir: tuple[Path, list[str]]) -> None:
    into, values = leak_dir
    assert len(values) > 100
    assert coresdk.scan_paths([into]).findings >= len(values)


@pytest.mark.parametrize("fmt", ["ndjson", "sarif"])
def test_no_output_holds_any_fixture_value(
    fmt: coresdk.ScanFormat, leak_dir: tuple[Path, list[str]], tmp_path: Path
) -> None:
    """Library output, the CLI's stdout and stderr, and the file ``--output`` writes."""
    into, values = leak_dir
    assert _leaked(values, coresdk.scan_paths([into], format=fmt).output) == []
    out = tmp_path / f"out.{fmt}"
    cli = [sys.executable, "-m", "coresdk", "scan", str(into), "--format", fmt]
    printed = subprocess.run(cli, capture_output=True, text=True, encoding="utf-8", timeout=60)
    written = subprocess.run(
        [*cli, "--output", str(out)], capture_output=True, text=True, encoding="utf-8", timeout=60
    )
    assert (printed.returncode, written.returncode, written.stdout) == (1, 1, "")
    assert out.read_text(encoding="utf-8") == printed.stdout
    for text in (printed.stdout, printed.stderr, written.stderr):
        assert _leaked(values, text) == []
