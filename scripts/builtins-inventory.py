"""Which OPA builtins CoreSDK has, and who supplies each: writes the table between
``<!-- builtins:begin -->`` and ``<!-- builtins:end -->`` in docs/COMPATIBILITY.md.

Usage:
    python scripts/builtins-inventory.py [--check] [--capabilities FILE]

- OPA's builtins come from ``tests/conformance/opa-builtins.json`` (made from
  ``opa capabilities --current``); ``--capabilities FILE`` reads such a JSON (either that
  file or OPA's own capabilities output) instead. Regenerate the committed copy with
  ``opa capabilities --current > caps.json && python scripts/builtins-inventory.py
  --capabilities caps.json --write-list``.
- regorus's builtins are the ``m.insert("name", ...)`` registrations under
  ``third_party/regorus/src/builtins``, kept only when the regorus features
  ``crates/coresdk-engine/Cargo.toml`` turns on enable them (``#[cfg(feature = ...)]`` on
  the module in ``mod.rs`` or on the statement or block).
- CoreSDK's are the ``("name", nargs, fn)`` rows of the ``BUILTINS`` tables in
  ``crates/coresdk-engine/src/builtins/*.rs`` (and ``src/graphql.rs``).
- ``--check``: exit 1 when the docs section is out of date or a builtin is neither
  supplied nor given a reason below.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
LIST = ROOT / "tests" / "conformance" / "opa-builtins.json"
DOCS = ROOT / "docs" / "COMPATIBILITY.md"
REGORUS = ROOT / "third_party" / "regorus"
ENGINE = ROOT / "crates" / "coresdk-engine"
BEGIN, END = "<!-- builtins:begin -->", "<!-- builtins:end -->"

# Builtins regorus stubs: registered, but not with OPA's behaviour.
STUBS: dict[str, str] = {}

# Why a builtin is not there. Every missing builtin needs an entry (--check enforces it).
REASONS = {
    "http.send": "out of scope: a decision depends only on modules, data and input, so it "
    "can be replayed from the audit log; fetch what a policy needs into `data` instead. "
    "A policy that calls it is refused at load (`undefined function http.send`) rather than "
    "answered differently from OPA",
    "net.lookup_ip_addr": "out of scope: needs DNS at evaluation time (network access, "
    "not replayable); resolve before evaluating and pass addresses in `input`",
    "rego.metadata.chain": "regorus does not keep METADATA annotations of rules",
    "rego.metadata.rule": "regorus does not keep METADATA annotations of rules",
    "rego.parse_module": "returns OPA's own AST as JSON, which regorus's AST does not match",
    "internal.template_string": 'internal: template strings (`$"...{x}"`) are a language '
    "form, evaluated by regorus patch 8 without this builtin",
    "internal.test_case": "used by `opa test` only",
    "crypto.parse_private_keys": "not written yet (PEM/PKCS#1/PKCS#8/EC keys to JWK-like objects)",
    "crypto.x509.parse_and_verify_certificates": "not written yet: needs X.509 chain "
    "verification (signatures, validity, key usage) as Go's `x509.Verify`",
    "crypto.x509.parse_and_verify_certificates_with_options": "not written yet: as "
    "`parse_and_verify_certificates`, with Go's `VerifyOptions`",
    "crypto.x509.parse_certificate_request": "not written yet (`x509-parser` reads CSRs; "
    "the Go field layout is the work)",
    "crypto.x509.parse_keypair": "not written yet: Go's `tls.X509KeyPair` as JSON",
    "crypto.x509.parse_rsa_private_key": "not written yet (RSA key to JWK)",
    "io.jwt.verify_es512": "not written yet: P-521 ECDSA, which `jsonwebtoken` lacks "
    "(the `p521` crate has it)",
    "json.match_schema": "regorus's `jsonschema` feature answers `[true, null]` and one "
    "message string where OPA answers `[true, []]` and gojsonschema error objects "
    "(`desc`, `error`, `field`, `type`); needs an extension that maps errors to that shape",
    "json.verify_schema": "regorus's `jsonschema` feature gets `[true, null]` right but "
    "words errors differently from OPA's gojsonschema (`[false, \"jsonschema: Invalid "
    'type. ..."]`); left off with `json.match_schema`',
    "strings.render_template": "not written yet: needs Go's `text/template` over OPA's "
    "Go values (numbers are `json.Number` strings, so `{{if 0}}` is true; a missing key or "
    "`null` renders `<undefined>`; objects render `map[k:v]`; a set is an error), with "
    "`range`, `if`, `with`, variables and the functions `len`, `index`, `printf`",
    "regex.globs_match": "needs the intersection of two glob-regex languages; not written yet",
    "graphql.is_valid": "in progress (crates/coresdk-engine/src/graphql.rs)",
    "graphql.parse": "in progress (crates/coresdk-engine/src/graphql.rs)",
    "graphql.parse_and_verify": "in progress (crates/coresdk-engine/src/graphql.rs)",
    "graphql.parse_query": "in progress (crates/coresdk-engine/src/graphql.rs)",
    "graphql.parse_schema": "in progress (crates/coresdk-engine/src/graphql.rs)",
    "graphql.schema_is_valid": "in progress (crates/coresdk-engine/src/graphql.rs)",
}

# The statement form (`x = y`, `x := y`, `x in y`, `print(...)`): the interpreter handles
# these itself rather than through its builtin table.
LANGUAGE = {"assign", "eq", "internal.member_2", "internal.member_3", "internal.print", "print"}


def opa_builtins(path: Path) -> list[dict]:
    doc = json.loads(path.read_text())
    out = []
    for b in doc["builtins"]:
        args = b["args"] if "args" in b else len(b.get("decl", {}).get("args", []))
        row = {"name": b["name"], "args": args}
        if b.get("infix"):
            row["infix"] = b["infix"]
        if b.get("deprecated"):
            row["deprecated"] = True
        out.append(row)
    return sorted(out, key=lambda b: b["name"])


def enabled_features() -> set[str]:
    """regorus features CoreSDK builds with, expanded through regorus's feature table."""
    engine = tomllib.loads((ENGINE / "Cargo.toml").read_text())
    dep = engine["dependencies"]["regorus"]
    table = tomllib.loads((REGORUS / "Cargo.toml").read_text())["features"]
    todo = list(dep.get("features", []))
    if dep.get("default-features", True):
        todo += table["default"]
    seen: set[str] = set()
    while todo:
        f = todo.pop()
        if f in seen or "/" in f or f.startswith("dep:"):
            continue
        seen.add(f)
        todo += table.get(f, [])
    return seen


CFG = re.compile(r'#\[cfg\(feature\s*=\s*"([^"]+)"\)\]')
INSERT = re.compile(r'm\.insert\(\s*"([^"]+)"')


def regorus_builtins(features: set[str]) -> set[str]:
    folder = REGORUS / "src" / "builtins"
    module_feature: dict[str, str] = {}
    pending = None
    for line in (folder / "mod.rs").read_text().splitlines():
        if m := CFG.search(line):
            pending = m.group(1)
        elif m := re.match(r"\s*(?:pub\s+)?mod\s+(\w+);", line):
            if pending:
                module_feature[m.group(1)] = pending
            pending = None
        elif line.strip():
            pending = None
    names: set[str] = set()
    for path in sorted(folder.rglob("*.rs")):
        top = path.relative_to(folder).parts[0].removesuffix(".rs")
        if module_feature.get(top, None) not in (None, *features):
            continue
        # Drop comments, then follow `#[cfg(feature)]` on the next statement or block.
        text = re.sub(r"//[^\n]*", "", path.read_text())
        text = re.sub(r"m\.insert\(\s*\n\s*", "m.insert(", text)
        gate, depth, gated_depth = None, 0, None
        for line in text.splitlines():
            stripped = line.strip()
            if m := CFG.search(stripped):
                gate = m.group(1)
                continue
            if gate is not None and stripped == "{":
                gated_depth, gate_block = depth, gate
                gate = None
            for m in INSERT.finditer(stripped):
                active = gate or (gate_block if gated_depth is not None else None)
                if active is None or active in features:
                    names.add(m.group(1))
            if stripped and gate is not None and not stripped.startswith("#"):
                gate = None
            depth += stripped.count("{") - stripped.count("}")
            if gated_depth is not None and depth <= gated_depth:
                gated_depth = None
    return names


ROW = re.compile(r'\(\s*"([a-z0-9_.]+)",\s*\d+,', re.S)


def coresdk_builtins() -> set[str]:
    files = sorted((ENGINE / "src" / "builtins").glob("*.rs")) + [ENGINE / "src" / "graphql.rs"]
    names: set[str] = set()
    for path in files:
        if path.exists():
            text = re.sub(r"//[^\n]*", "", path.read_text())
            names.update(ROW.findall(text))
    return names


def table(builtins: list[dict]) -> tuple[str, list[str]]:
    regorus = regorus_builtins(enabled_features()) - set(STUBS)
    coresdk = coresdk_builtins()
    rows, unexplained = [], []
    counts = {"regorus": 0, "CoreSDK": 0, "missing": 0, "regorus (deprecated)": 0}
    for b in builtins:
        name = b["name"]
        if b.get("deprecated"):
            who, note = (
                "regorus (deprecated)",
                (
                    "deprecated in OPA: available to Rego v0 modules, rejected in v1 modules "
                    "with OPA's message (regorus patch 14)"
                ),
            )
        elif name in coresdk:
            who, note = "CoreSDK", "extension in `crates/coresdk-engine/src/builtins/`"
        elif name in regorus or name in LANGUAGE or b.get("infix"):
            who, note = "regorus", "operator" if b.get("infix") else ""
        else:
            who = "missing"
            note = REASONS.get(name, "")
            if name in STUBS:
                note = f"{STUBS[name]}; {note}"
            if not note:
                unexplained.append(name)
        counts[who] += 1
        rows.append(f"| `{name}` | {who} | {note} |")
    head = [
        "## Builtins",
        "",
        f"Every builtin `opa capabilities --current` lists for OPA "
        f"{json.loads(LIST.read_text()).get('opa_version', '')} ({len(builtins)}): "
        f"{counts['regorus']} supplied by regorus, {counts['CoreSDK']} by CoreSDK "
        f"(regorus extensions), {counts['missing']} missing, {counts['regorus (deprecated)']} "
        "deprecated. Generated by `scripts/builtins-inventory.py`; do not edit by hand.",
        "",
        "| builtin | supplied by | note |",
        "| --- | --- | --- |",
    ]
    return "\n".join(head + rows) + "\n", unexplained


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--capabilities", type=Path, default=LIST)
    parser.add_argument("--write-list", action="store_true", help="rewrite opa-builtins.json")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    builtins = opa_builtins(args.capabilities)
    if args.write_list:
        LIST.write_text(
            json.dumps(
                {
                    "opa_version": "1.22.2",
                    "source": "opa capabilities --current",
                    "builtins": builtins,
                },
                indent=1,
            )
            + "\n"
        )
    section, unexplained = table(builtins)
    docs = DOCS.read_text()
    if BEGIN in docs:
        before, rest = docs.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
    else:
        before, after = docs.rstrip("\n") + "\n\n", "\n"
    new = f"{before}{BEGIN}\n{section}{END}{after}"
    for name in unexplained:
        print(f"missing builtin without a reason: {name}", file=sys.stderr)
    if args.check:
        stale = new != docs
        if stale:
            print("docs/COMPATIBILITY.md builtins section is out of date", file=sys.stderr)
        return 1 if stale or unexplained else 0
    DOCS.write_text(new)
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
