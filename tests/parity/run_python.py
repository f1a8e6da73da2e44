"""Runs the parity documents through the Python package; prints one JSON array of results
(the same shape as run_node.mjs)."""

import json
import sys

import coresdk


def attempt(f):
    try:
        return f()
    except coresdk.CoreSdkError as e:
        return {"error": e.code}


def main(path: str) -> None:
    with open(path, encoding="utf-8") as fh:
        docs = json.load(fh)
    redact = coresdk.Masker()
    pseudo = coresdk.Masker(strategy="pseudonymize", key="parity-key")
    out = [
        {
            "canonical": attempt(lambda: coresdk.canonicalize_json(doc)),
            "sha256": attempt(lambda: coresdk.hash_json(doc)),
            "masked": attempt(lambda: redact.mask_json(doc)),
            "pseudonymized": attempt(lambda: pseudo.mask_json(doc)),
            "maskedText": attempt(lambda: redact.mask_text(doc)),
        }
        for doc in docs
    ]
    sys.stdout.write(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
