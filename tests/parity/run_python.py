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
            "canonical": attempt(lambda d=doc: coresdk.canonicalize_json(d)),
            "sha256": attempt(lambda d=doc: coresdk.hash_json(d)),
            "masked": attempt(lambda d=doc: redact.mask_json(d)),
            "pseudonymized": attempt(lambda d=doc: pseudo.mask_json(d)),
            "maskedText": attempt(lambda d=doc: redact.mask_text(d)),
        }
        for doc in docs
    ]
    sys.stdout.write(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
