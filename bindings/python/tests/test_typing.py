"""The typing surface: ``_native.pyi`` matches the built module exactly (mypy.stubtest),
and the package type-checks under ``mypy --strict`` as installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import coresdk
from coresdk import _native

ALLOWLIST = Path(__file__).resolve().parents[1] / "stubtest-allowlist.txt"


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # Run from an empty directory so the installed package is what gets checked, never
    # a source tree that happens to be on the path.
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_stub_matches_the_native_module(tmp_path: Path) -> None:
    result = run(["mypy.stubtest", "coresdk._native", "--allowlist", str(ALLOWLIST)], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_package_type_checks_strictly(tmp_path: Path) -> None:
    result = run(["mypy", "--strict", "--no-incremental", "-p", "coresdk"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_stub_ships_next_to_the_module() -> None:
    package = Path(coresdk.__file__).parent
    assert Path(_native.__file__).parent == package
    assert (package / "_native.pyi").is_file()
    assert (package / "py.typed").is_file()


def test_every_public_item_is_documented() -> None:
    for name in coresdk.__all__:
        item = getattr(coresdk, name)
        aliases = {
            "__version__",
            "ERROR_CODES",
            "Strategy",
            "RegoVersion",
            "Evaluator",
            "ScanFormat",
        }
        if name in aliases:  # `#:` docs
            continue
        assert item.__doc__ and item.__doc__.strip(), name
        for attr, member in vars(item).items() if isinstance(item, type) else ():
            if not attr.startswith("_") and callable(member):
                assert member.__doc__ and member.__doc__.strip(), f"{name}.{attr}"
