"""Self-check of the golden fixtures (the JSON-Schema-Test-Suite model).

Every fixture file validates against fixtures/schema.json, every case id is unique and
starts with its folder's name, every id in expected-failures.json names a real case with a
reason, and there are at least 150 cases. Prints 'N passed, N failed'.
"""

import json
import sys
from pathlib import Path

import jsonschema

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def main() -> int:
    schema = json.loads((FIXTURES / "schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    # host-values/ cases have their own format: $defs/hostValueFile (docs/HOST-VALUES.md).
    host_values = jsonschema.Draft202012Validator(
        {"$defs": schema["$defs"], "$ref": "#/$defs/hostValueFile"}
    )
    problems, ids = [], {}
    for path in sorted(FIXTURES.glob("*/*.json")):
        if path.parent.name == "cli":
            # fixtures/cli/cases.json is command-line cases in their own format, run by
            # packages/coresdk/test/cli.test.ts and bindings/python/tests/test_cli.py.
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        check = host_values if path.parent.name == "host-values" else validator
        for error in check.iter_errors(doc):
            problems.append(
                f"{path.relative_to(FIXTURES)}: {error.json_path}: {error.message[:160]}"
            )
        for case in doc if isinstance(doc, list) else [doc]:
            cid = case.get("id", "")
            if cid in ids:
                problems.append(f"duplicate id {cid} in {path.name} and {ids[cid]}")
            ids[cid] = path.name
            if cid.split("/", 1)[0] != path.parent.name:
                problems.append(f"{cid}: id must start with its folder {path.parent.name}/")
    known = json.loads((FIXTURES / "expected-failures.json").read_text(encoding="utf-8"))
    for lang, cases in known.items():
        if lang.startswith("$"):
            continue
        for cid, reason in cases.items():
            if cid not in ids:
                problems.append(f"expected-failures.json[{lang}]: unknown case {cid}")
            if not reason.strip():
                problems.append(f"expected-failures.json[{lang}]: {cid} has no reason")
    if len(ids) < 150:
        problems.append(f"only {len(ids)} cases; the foundation needs at least 150")
    by_area = {}
    for cid in ids:
        by_area[cid.split("/")[0]] = by_area.get(cid.split("/")[0], 0) + 1
    print("fixture cases by area:", json.dumps(by_area, sort_keys=True))
    for p in problems:
        print("  FAIL", p)
    print(f"{len(ids) - len(problems) if not problems else 0} passed, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
