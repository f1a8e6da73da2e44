"""The shared inputs of the masking comparison (issue 6): one seeded file that the Node
(`mask.mjs`) and Python (`mask.py`) scripts both time and score, so every tool sees the
same bytes. Three workloads:

- ``lines``: log lines, headers, URLs and stringified JSON from the labeled corpus
  (benchmarks/mask/corpus.py, plain forms; encoded forms are left to the corpus gate);
- ``payloads``: JSON API payloads (a user, a payment, request headers, a free-text note,
  items) whose secrets sit both at well-known keys and inside free text;
- ``spans``: OpenTelemetry-like span attribute maps (`http.url`, `db.statement`,
  `enduser.id`, an authorization header, trace ids).

Every item carries ``secrets`` (substrings that must not survive masking) and ``keep``
(substrings that must survive: ids, timestamps, hard negatives). Key-path tools get the
``paths`` a team would configure for each workload.

    target/bench/venv/bin/python benchmarks/compare/mask_inputs.py --out target/bench/mask-inputs.json [--size smoke|full]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks/mask"))
import corpus  # noqa: E402

SIZES = {"smoke": (150, 40, 40), "full": (2000, 500, 500)}
PAYLOAD_PATHS = [
    "user.email",
    "user.phone",
    "user.password",
    "payment.card",
    "payment.iban",
    "headers.authorization",
]
SPAN_PATHS = ['["enduser.id"]', '["http.request.header.authorization"]', '["net.peer.ip"]']


def lines(rng: random.Random, count: int) -> list[dict[str, Any]]:
    out = []
    seed = rng.randint(0, 10**9)
    for sample in corpus.generate(seed, count * 2):
        if sample["form"] not in corpus.PLAIN_FORMS:
            continue
        raw = sample["text"].encode()
        secrets = [raw[s["start"] : s["end"]].decode() for s in sample["spans"]]
        out.append(
            {
                "text": sample["text"],
                "secrets": secrets,
                "keep": [] if secrets else [sample["text"]],
            }
        )
        if len(out) == count:
            break
    return out


def uuid(rng: random.Random) -> str:
    h = lambda n: "".join(rng.choice(corpus.HEX) for _ in range(n))  # noqa: E731
    return f"{h(8)}-{h(4)}-4{h(3)}-{rng.choice('89ab')}{h(3)}-{h(12)}"


def payload(rng: random.Random) -> dict[str, Any]:
    email, phone, card, iban = (
        corpus.email(rng),
        corpus.phone(rng),
        corpus.card(rng),
        corpus.iban(rng),
    )
    password, bearer = corpus.token(rng, 14), corpus.token(rng, 32)
    note_email, note_ip = corpus.email(rng), corpus.ipv4(rng)
    request_id, created = (
        uuid(rng),
        f"2026-11-{rng.randint(1, 28):02d}T10:{rng.randint(0, 59):02d}:00Z",
    )
    sku = f"SKU-{rng.randint(10000, 99999)}"
    value = {
        "id": request_id,
        "created_at": created,
        "user": {
            "plan": rng.choice(["free", "pro", "team"]),
            "email": email,
            "phone": phone,
            "password": password,
        },
        "payment": {
            "card": card,
            "iban": iban,
            "amount": rng.randint(100, 99999) / 100,
            "currency": "EUR",
        },
        "headers": {
            "authorization": f"Bearer {bearer}",
            "x-request-id": request_id,
            "accept": "application/json",
        },
        "note": f"customer asked to send the invoice to {note_email} from {note_ip}",
        "items": [{"sku": sku, "qty": rng.randint(1, 9)} for _ in range(rng.randint(1, 3))],
    }
    return {
        "value": value,
        "secrets": [email, phone, card, iban, password, bearer, note_email, note_ip],
        "keep": [request_id, created, sku],
    }


def span(rng: random.Random) -> dict[str, Any]:
    email, token, ip, key = (
        corpus.email(rng),
        corpus.token(rng, 40),
        corpus.ipv4(rng),
        corpus.token(rng, 24),
    )
    db_email = corpus.email(rng)
    trace, span_id = (
        "".join(rng.choice(corpus.HEX) for _ in range(32)),
        "".join(rng.choice(corpus.HEX) for _ in range(16)),
    )
    route = f"/v1/orders/{rng.randint(1000, 9999)}"
    value = {
        "http.method": rng.choice(["GET", "POST"]),
        "http.url": f"https://api.example.com{route}?api_key={key}&page=2",
        "http.status_code": rng.choice([200, 201, 404]),
        "http.request.header.authorization": f"Bearer {token}",
        "enduser.id": email,
        "net.peer.ip": ip,
        "db.statement": f"SELECT id FROM users WHERE email = '{db_email}'",
        "trace_id": trace,
        "span_id": span_id,
        "service.version": f"v{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}",
    }
    return {
        "value": value,
        "secrets": [email, token, ip, key, db_email],
        "keep": [route, trace, span_id, value["service.version"]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--out", default=str(ROOT / "target/bench/mask-inputs.json"))
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    n_lines, n_payloads, n_spans = SIZES[args.size]
    doc = {
        "seed": args.seed,
        "lines": lines(rng, n_lines),
        "payloads": {"paths": PAYLOAD_PATHS, "items": [payload(rng) for _ in range(n_payloads)]},
        "spans": {"paths": SPAN_PATHS, "items": [span(rng) for _ in range(n_spans)]},
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(doc))
    print(
        f"mask inputs: {len(doc['lines'])} lines, {n_payloads} payloads, {n_spans} span maps -> {args.out}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
