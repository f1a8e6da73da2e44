"""The shared mask fixtures (fixtures/mask) as the tests of streaming and batches use them."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "mask"


def fixture_texts() -> list[str]:
    """The texts of the ``mask_text`` fixtures that use the default options."""
    texts = []
    for file in sorted(FIXTURES.glob("*.json")):
        for case in json.loads(file.read_text(encoding="utf-8")):
            args = case["args"]
            if case["op"] == "mask_text" and "options" not in args:
                texts.append(args["text"])
    return texts
