"""Tests of tests/api/check_api.py: the real table passes; a broken copy fails by name."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

import check_api  # noqa: E402
import rust_api  # noqa: E402

needs_node = pytest.mark.skipif(
    shutil.which("node") is None
    or not (REPO / "packages/coresdk/node_modules/typescript").exists(),
    reason="needs node and `pnpm install --frozen-lockfile` (the TypeScript compiler)",
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(HERE / "check_api.py"), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
    )


@needs_node
def test_real_table_matches_the_sources() -> None:
    result = run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check_api: OK" in result.stdout


@needs_node
def test_removed_row_and_misspelled_name_fail(tmp_path: Path) -> None:
    text = (REPO / "docs/API.md").read_text(encoding="utf-8")
    row = "| Mask JSON text | `Masker::mask_json` | `Masker.maskJson` | `Masker.mask_json` | |\n"
    assert row in text
    text = text.replace(row, "")
    assert "`PolicyEngine.addModules`" in text
    text = text.replace("`PolicyEngine.addModules`", "`PolicyEngine.addModulez`")
    broken = tmp_path / "API.md"
    broken.write_text(text, encoding="utf-8")

    result = run("--api", str(broken))

    assert result.returncode == 1, result.stdout
    out = result.stdout
    assert "Node `Masker.maskJson` is exported but no row names it" in out
    assert "Python `Masker.mask_json` is exported but no row names it" in out
    assert "Node `PolicyEngine.addModulez` is not exported" in out
    assert "Node `PolicyEngine.addModules` is exported but no row names it" in out


def test_rows_need_notes_for_dashes_and_differences() -> None:
    rows, errors = check_api.parse_tables(
        "| Operation | Rust | Node | Python | Note |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| a | — | `A.x` | `A.x` | |\n"
        "| b | `A::y` | `A.ySync` | `A.y` | |\n"
        "| c | `A::verify` | `A.authenticate` | `A.authenticate` | |\n"
        "| d | x | `A.z` | `A.z` | |\n"
    )
    assert [r.operation for r in rows] == ["a", "b", "c", "d"]
    assert rows[0].names["Rust"] is None
    assert len(errors) == 1 and "line 6" in errors[0]
    key = check_api.convention_key
    assert key("Rust", "A::y") == key("Node", "A.ySync") == key("Python", "A.y")
    assert key("Node", "A.evaluate") == key("Python", "A.evaluate_async")
    assert key("Node", "otel.maskSpan") == key("Python", "otel.mask_span")
    assert key("Rust", "canonical::hash_json") == key("Node", "hashJson")
    assert key("Rust", "Masker::new") == key("Node", "Masker")
    assert key("Rust", "A::verify") != key("Node", "A.authenticate")
    assert key("Node", "A.appendAsync") != key("Python", "A.append_async")


def test_python_async_variants_and_cli_are_required(tmp_path: Path) -> None:
    pkg = tmp_path / "bindings/python/python/coresdk"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(
        'from .policy import PolicyEngine\n__all__ = ["PolicyEngine"]\n'
    )
    (pkg / "policy.py").write_text(
        "class PolicyEngine:\n"
        "    def evaluate(self): ...\n"
        "    async def evaluate_async(self): ...\n"
        "    def _hidden(self): ...\n"
    )
    (pkg / "cli.py").write_text("def main(argv=None): ...\ndef _helper(): ...\n")
    inv = check_api.python_inventory(tmp_path)
    assert {
        "PolicyEngine",
        "PolicyEngine.evaluate",
        "PolicyEngine.evaluate_async",
        "cli.main",
    } <= inv.required
    assert "PolicyEngine._hidden" not in inv.known and "cli._helper" not in inv.known
    assert inv.is_async["PolicyEngine.evaluate_async"] and not inv.is_async["PolicyEngine.evaluate"]


def test_rust_scanner_finds_leaf_crates_and_modules(tmp_path: Path) -> None:
    leaf = tmp_path / "crates/coresdk-canonical/src"
    leaf.mkdir(parents=True)
    (leaf / "lib.rs").write_text(
        "/// \"{\"\npub fn hash_json(b: &[u8]) -> String { let _ = '{'; String::new() }\n"
    )
    eng = tmp_path / "crates/coresdk-engine/src"
    (eng / "mask").mkdir(parents=True)
    (eng / "lib.rs").write_text(
        "pub use coresdk_canonical as canonical;\npub use coresdk_base as base_errors;\n"
        "pub use mask::{Masker};\npub mod mask;\n"
    )
    base = tmp_path / "crates/coresdk-base/src"
    base.mkdir(parents=True)
    (base / "lib.rs").write_text("pub fn panic_probe() {}\n")
    (eng / "mask/mod.rs").write_text(
        "pub struct Masker;\nimpl Masker {\n    pub fn new() -> Self { Masker }\n"
        "    fn private(&self) {}\n    pub(crate) fn internal(&self) {}\n}\n"
        "#[cfg(test)]\nmod tests {\n    pub fn helper() {}\n}\n"
    )
    api = rust_api.scan(tmp_path)
    assert api.has("canonical::hash_json")
    assert api.has("base_errors::panic_probe") and api.has("base::panic_probe")
    assert api.has("Masker::new") and api.has("Masker")
    assert not api.has("Masker::private") and not api.has("Masker::internal")
    assert not api.has("tests::helper")
