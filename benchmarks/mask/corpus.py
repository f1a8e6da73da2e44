"""A seeded generator of a labeled masking corpus: positives of every detector type and
hard negatives, embedded in log lines, JSON, URLs, headers, stringified JSON, and (as a
separate, reported-apart group) URL-encoded and base64-encoded forms.

Each sample is ``{"text", "form", "spans": [{"type", "start", "end"}]}`` with UTF-8 byte
offsets of the values that must not survive masking (for ``Bearer``/``Basic``/URL
passwords only the credential). Hard negatives have no spans: any finding on them is a
false positive. Values are made here from each format's own rules (Luhn, mod-97, SSN
areas, E.164 lengths), independently of the Rust detectors.

    python benchmarks/mask/corpus.py --seed 7 --count 6000 > corpus.jsonl
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import string
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts" / "fixtures"))
from gen_mask_providers import samples as provider_samples  # noqa: E402

HEX = "0123456789abcdef"
ALNUM = string.ascii_letters + string.digits


def luhn_complete(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def holds_card(text: str) -> bool:
    """Whether consecutive all-digit groups of `text` (split at blanks) make 13 to 19
    digits that start like a card and pass Luhn."""
    groups = text.split(" ")
    for i in range(len(groups)):
        digits = ""
        for group in groups[i:]:
            if not group.isdigit():
                break
            digits += group
            if 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn_valid(digits):
                return True
    return False


def card(rng: random.Random) -> str:
    prefix, length = rng.choice(
        [
            ("4", 16),
            ("51", 16),
            ("55", 16),
            ("2221", 16),
            ("34", 15),
            ("37", 15),
            ("6011", 16),
            ("3530", 16),
        ]
    )
    number = luhn_complete(rng, prefix, length)
    style = rng.choice(["plain", "space", "dash"])
    if style == "plain":
        return number
    groups = (
        [number[:4], number[4:10], number[10:]]
        if length == 15
        else [number[i : i + 4] for i in range(0, 16, 4)]
    )
    return (" " if style == "space" else "-").join(groups)


IBAN_SHAPES = {
    "DE": "n18",
    "GB": "a4n14",
    "FR": "n23",
    "ES": "n20",
    "NL": "a4n10",
    "IT": "a1n22",
    "BE": "n12",
}


# IBAN length per country: the SWIFT IBAN registry (release 100, with territories under
# their own ISO code) and the national IBAN formats used outside it (Iran, the BCEAO and
# BEAC countries, ...). Countries without a shape above get an all-digit BBAN.
IBAN_LENGTHS = {
    **dict.fromkeys(["NO"], 15),
    **dict.fromkeys(["BE"], 16),
    **dict.fromkeys(["DK", "FI", "FO", "GL", "NL", "AX", "FK", "SD"], 18),
    **dict.fromkeys(["MK", "SI"], 19),
    **dict.fromkeys(["AT", "BA", "EE", "KZ", "LT", "LU", "XK", "MN"], 20),
    **dict.fromkeys(["CH", "HR", "LI", "LV"], 21),
    **dict.fromkeys(
        ["BG", "BH", "CR", "DE", "GB", "GE", "IE", "ME", "RS", "VA", "GG", "IM", "JE"], 22
    ),
    **dict.fromkeys(["AE", "GI", "IL", "IQ", "OM", "SO", "TL"], 23),
    **dict.fromkeys(["AD", "CZ", "ES", "MD", "PK", "RO", "SA", "SE", "SK", "TN", "VG"], 24),
    **dict.fromkeys(["PT", "LY", "ST", "AO", "CV", "GW", "MZ"], 25),
    **dict.fromkeys(["IS", "TR", "IR", "DZ"], 26),
    **dict.fromkeys(
        ["FR", "GR", "IT", "MC", "MR", "SM", "BI", "DJ", "GF", "GP", "MQ", "RE", "PF", "TF"]
        + ["YT", "NC", "BL", "MF", "PM", "WF", "CM", "CF", "TD", "KM", "CG", "GQ", "GA", "MG"],
        27,
    ),
    **dict.fromkeys(
        ["AL", "AZ", "CY", "DO", "GT", "HU", "LB", "PL", "BY", "HN", "NI", "SV", "BJ", "BF"]
        + ["CI", "ML", "NE", "SN", "TG", "MA"],
        28,
    ),
    **dict.fromkeys(["BR", "EG", "PS", "QA", "UA"], 29),
    **dict.fromkeys(["JO", "KW", "MU", "YE"], 30),
    **dict.fromkeys(["MT", "SC"], 31),
    **dict.fromkeys(["LC"], 32),
    **dict.fromkeys(["RU"], 33),
}


def iban(rng: random.Random, valid: bool = True) -> str:
    country = rng.choice(sorted(IBAN_LENGTHS))
    shape = IBAN_SHAPES.get(country, f"n{IBAN_LENGTHS[country] - 4}")
    bban = ""
    i = 0
    while i < len(shape):
        kind, j = shape[i], i + 1
        while j < len(shape) and shape[j].isdigit():
            j += 1
        n = int(shape[i + 1 : j])
        bban += "".join(
            rng.choice(string.ascii_uppercase if kind == "a" else string.digits) for _ in range(n)
        )
        i = j
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(numeric) % 97
    if not valid:
        check = (check + rng.randint(1, 50)) % 97 + 2
    text = f"{country}{check:02d}{bban}"
    return " ".join(text[k : k + 4] for k in range(0, len(text), 4)) if rng.random() < 0.3 else text


def ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def phone(rng: random.Random) -> str:
    d = lambda n: "".join(rng.choice(string.digits) for _ in range(n))  # noqa: E731
    nanp = f"{rng.randint(2, 9)}{d(2)}"
    return rng.choice(
        [
            f"+1 {nanp} {rng.randint(2, 9)}{d(2)} {d(4)}",
            f"({nanp}) {rng.randint(2, 9)}{d(2)}-{d(4)}",
            f"{nanp}-{rng.randint(2, 9)}{d(2)}-{d(4)}",
            f"+44 20 {d(4)} {d(4)}",
            f"+49 30 {d(8)}",
            f"+33 1 {d(2)} {d(2)} {d(2)} {d(2)}",
            f"+81 3-{d(4)}-{d(4)}",
            f"+91 {rng.randint(6, 9)}{d(9)}",
            f"+61 4{d(2)} {d(3)} {d(3)}",
        ]
    )


def email(rng: random.Random) -> str:
    first = rng.choice(
        ["ann", "bob", "chloe", "dev.ops", "j.smith", "maria_g", "li.wei", "o'hara"]
    ).replace("'", "")
    return f"{first}{rng.randint(1, 999)}@{rng.choice(['example.com', 'corp.io', 'mail.co.uk', 'uni.edu', 'startup.dev'])}"


def ipv4(rng: random.Random) -> str:
    return ".".join(str(rng.randint(1, 254)) for _ in range(4))


def ipv6(rng: random.Random) -> str:
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
    return "2001:db8::" + ":".join(groups[:3]) if rng.random() < 0.5 else ":".join(groups)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(rng: random.Random) -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(
        json.dumps(
            {"sub": f"user-{rng.randint(1, 10**6)}", "iat": 1700000000 + rng.randint(0, 10**7)}
        ).encode()
    )
    return f"{header}.{payload}.{b64url(rng.randbytes(32))}"


def jwe(rng: random.Random) -> str:
    alg = rng.choice(["dir", "RSA-OAEP-256", "A256KW"])
    header = b64url(json.dumps({"alg": alg, "enc": "A256GCM"}).encode())
    key = "" if alg == "dir" else b64url(rng.randbytes(rng.choice([40, 256])))
    return f"{header}.{key}.{b64url(rng.randbytes(12))}.{b64url(rng.randbytes(rng.randint(16, 120)))}.{b64url(rng.randbytes(16))}"


def pem(rng: random.Random) -> str:
    body = base64.b64encode(rng.randbytes(rng.choice([48, 96, 180]))).decode()
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    label = rng.choice(["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"])
    return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----"


def token(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ALNUM) for _ in range(n))


KEY_QUALIFIERS = ["signing", "encryption", "master", "hmac", "client", "webhook", "aes"]
KEY_QUALIFIERS += ["wrapping", "root", "device", "jwt_signing", "session_signing", "data"]
KEY_QUALIFIERS += ["cookie_signing", "shared", "app", "license", "backup_encryption", "kms"]
KEY_WORDS = ["key", "key_b64", "key_hex", "keys", "seed", "salt", "pepper", "key_material"]


def key_name(rng: random.Random) -> str:
    """A key name that means key material, in one of the casings names are written in."""
    words = f"{rng.choice(KEY_QUALIFIERS)}_{rng.choice(KEY_WORDS)}".split("_")
    style = rng.choice(["snake", "camel", "kebab", "header", "upper"])
    if style == "camel":
        return words[0] + "".join(w.title() for w in words[1:])
    if style == "kebab":
        return "-".join(words)
    if style == "header":
        return "X-" + "-".join(w.title() for w in words)
    return "_".join(words).upper() if style == "upper" else "_".join(words)


def key_material(rng: random.Random) -> str:
    raw = rng.randbytes(rng.choice([16, 24, 32, 48]))
    form = rng.choice(["hex", "b64", "b64url"])
    if form == "hex":
        return raw.hex()
    return base64.b64encode(raw).decode() if form == "b64" else b64url(raw)


def assignment(rng: random.Random, name: str) -> tuple[str, str]:
    """The prefix and suffix around a value assigned to `name` in text."""
    return rng.choice(
        [(f"{name}=", ""), (f"{name}: ", ""), (f'"{name}": "', '"'), (f"{name} = '", "'")]
    )


def key_material_positive(rng: random.Random) -> tuple[str, str, str, str]:
    prefix, suffix = assignment(rng, key_name(rng))
    return ("SECRET", prefix, key_material(rng), suffix)


def short_password(rng: random.Random) -> tuple[str, str, str, str]:
    name = rng.choice(["password", "db_password", "passwd", "user_passcode", "Password"])
    prefix, suffix = assignment(rng, name)
    n = rng.choice([2, 2, 3, 4])
    value = rng.choice(string.ascii_lowercase) + token(rng, n - 1)
    return ("SECRET", prefix, value, suffix)


# A positive: (type, prefix, secret, suffix): the secret is what must not survive.
Positive = tuple[str, str, str, str]


def positives(rng: random.Random) -> Iterator[Positive]:
    """An endless stream of positives, cycling through the types."""
    makers: list[Callable[[], Positive]] = [
        lambda: ("EMAIL", "", email(rng), ""),
        lambda: ("CREDIT_CARD", "", card(rng), ""),
        lambda: ("IBAN", "", iban(rng), ""),
        lambda: ("US_SSN", "", ssn(rng), ""),
        lambda: ("PHONE_NUMBER", "", phone(rng), ""),
        lambda: ("IP_ADDRESS", "", ipv4(rng), ""),
        lambda: ("IP_ADDRESS", "", ipv6(rng), ""),
        lambda: ("JWT", "", jwt(rng), ""),
        lambda: ("PRIVATE_KEY", "", pem(rng), ""),
        lambda: ("BEARER_TOKEN", "Authorization: Bearer ", token(rng, rng.randint(24, 48)), ""),
        lambda: (
            "BASIC_AUTH",
            "Authorization: Basic ",
            base64.b64encode(f"svc{rng.randint(1, 99)}:{token(rng, 14)}".encode()).decode(),
            "",
        ),
        lambda: (
            "URL_PASSWORD",
            f"postgres://app{rng.randint(1, 9)}:",
            token(rng, 16),
            "@db.internal:5432/app",
        ),
        lambda: (
            "AWS_SECRET_ACCESS_KEY",
            "aws_secret_access_key = ",
            "".join(rng.choice(ALNUM + "/+") for _ in range(40)),
            "",
        ),
        lambda: (
            "SECRET",
            rng.choice(["password=", "db_password: ", "client_secret=", "X-Api-Key: "]),
            token(rng, 20),
            "",
        ),
        lambda: (
            "MAC_ADDRESS",
            "",
            rng.choice([":", "-"]).join(f"{rng.randint(1, 254):02x}" for _ in range(6)),
            "",
        ),
        lambda: ("JWT", "", jwe(rng), ""),
        # Cisco's dotted form; the first group holds a hex letter (digit-only groups are
        # a documented gap).
        lambda: (
            "MAC_ADDRESS",
            "",
            f"{rng.choice('abcdef')}{rng.randint(0, 0xFFF):03x}.{rng.randint(0, 0xFFFF):04x}.{rng.randint(0, 0xFFFF):04x}",
            "",
        ),
        lambda: (
            "US_ITIN",
            "",
            f"9{rng.randint(0, 99):02d}-{rng.choice([50, 65, 70, 78, 88, 90, 92, 94, 99])}-{rng.randint(1, 9999):04d}",
            "",
        ),
        lambda: ("ETHEREUM_ADDRESS", "", "0x" + "".join(rng.choice(HEX) for _ in range(40)), ""),
        lambda: key_material_positive(rng),
        lambda: short_password(rng),
        lambda: ("IBAN", "", iban(rng), ""),
    ]
    # Fresh provider tokens each round, so no two samples share a value.
    while True:
        for make in makers:
            yield make()
        for label, tok in provider_samples(random.Random(rng.random())):
            yield (label, "", tok, "")


def negatives(rng: random.Random) -> Iterator[str]:
    """Hard negatives: values that look like data detectors must leave alone."""
    d = lambda n: "".join(rng.choice(string.digits) for _ in range(n))  # noqa: E731
    h = lambda n: "".join(rng.choice(HEX) for _ in range(n))  # noqa: E731

    def bad_card() -> str:
        good = luhn_complete(rng, "4", 16)
        return good[:-1] + str((int(good[-1]) + rng.randint(1, 9)) % 10)

    def bad_iban() -> str:
        # A broken IBAN, but never one whose digit groups hold a valid card number: that
        # sample would hold a sensitive value after all.
        while True:
            text = iban(rng, valid=False)
            if not holds_card(text):
                return text

    makers: list[Callable[[], str]] = [
        lambda: f"{h(8)}-{h(4)}-4{h(3)}-{rng.choice('89ab')}{h(3)}-{h(12)}",  # UUID
        lambda: f"trace_id={h(32)} span_id={h(16)}",
        lambda: f"commit {h(40)}",
        lambda: f"sha256:{h(64)}",
        lambda: f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z",
        lambda: f"ts={1700000000000 + rng.randint(0, 10**11)}",
        lambda: f"v{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}",
        lambda: f"card {bad_card()} declined",
        lambda: f"iban {bad_iban()}",
        # Not an SSN (area 000/666) and not an ITIN (area 9, group outside the IRS ranges).
        lambda: f"ssn {rng.choice(['000', '666'])}-{d(2)}-{d(4)}",
        lambda: f"tin 9{d(2)}-{rng.choice(['10', '23', '41', '49', '66', '69', '89', '93'])}-{d(4)}",
        lambda: f"mac {rng.choice(['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff'])}",
        lambda: "AKIAIOSFODNN7EXAMPLE",
        lambda: "password=${" + rng.choice(["DB_PASSWORD", "SECRET", "API_TOKEN"]) + "}",
        lambda: f"order ORD-2026-{d(6)} shipped",
        lambda: f"took {rng.randint(1, 9999)}ms status={rng.choice([200, 201, 404, 500])}",
        lambda: f"color #{h(6)} at {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}",
        lambda: f"token_type=Bearer expires_in={rng.randint(60, 86400)}",
        lambda: f"pod web-{h(10)}-{h(5)} restarted",
        lambda: f"user id {d(rng.randint(5, 12))} logged in",
        lambda: f"build {d(4)}.{d(3)} on node {rng.randint(1, 99)}",
        lambda: f"build {d(4)}.{d(4)}.{d(4)}",
        # E.164-shaped, but the national number is too short for France / for India.
        lambda: f"tel +33 1 {d(2)} {d(2)} {d(2)} {d(1)}",
        lambda: f"tel +91 9{d(4)} {d(4)}",
        # Keys that are not secrets, under names that say so, with random-looking values.
        lambda: "".join(
            assignment(rng, rng.choice(["public_key", "ssh_public_key", "cache_key"]))[0]
        )
        + key_material(rng),
        lambda: "".join(assignment(rng, rng.choice(["idempotency_key", "partitionKey"]))[0])
        + f"{h(8)}-{h(4)}-4{h(3)}-{rng.choice('89ab')}{h(3)}-{h(12)}",
        lambda: f"keyboard_layout={rng.choice(['us', 'de', 'fr'])}-intl{d(4)}Xz{h(6)}",
        lambda: f"key_count={rng.randint(1, 999)} seed={rng.randint(0, 2**31)}",
    ]
    while True:
        for make in makers:
            yield make()


def embed(
    rng: random.Random, prefix: str, value: str, suffix: str, form: str
) -> tuple[str, int, int]:
    """`prefix + value + suffix` in a `form` context; returns the text and the value's byte span."""
    inner = prefix + value + suffix
    if form == "log":
        head = f"2026-11-22T10:{rng.randint(10, 59)}:00Z INFO req={token(rng, 8)} msg="
        text = head + inner + " done"
        start = len((head + prefix).encode())
        return text, start, start + len(value.encode())
    if form == "json":
        head = '{"level":"info","detail":"'
        text = head + json.dumps(inner)[1:-1] + '","n":1}'
        start = len((head + json.dumps(prefix)[1:-1]).encode())
        return text, start, start + len(json.dumps(value)[1:-1].encode())
    if form == "stringified":
        once = json.dumps({"detail": inner})
        head = '{"payload":"'
        text = head + json.dumps(once)[1:-1] + '"}'
        pre = json.dumps(json.dumps({"detail": prefix})[:-2])[1:-1]
        val = json.dumps(json.dumps(value)[1:-1])[1:-1]
        start = len((head + pre).encode())
        return text, start, start + len(val.encode())
    if form == "url":
        head = "GET https://api.example.com/v1/search?ref=7&q="
        text = head + inner + "&page=2 HTTP/1.1"
        start = len((head + prefix).encode())
        return text, start, start + len(value.encode())
    if form == "header":
        head = "X-Request-Context: "
        text = head + inner
        start = len((head + prefix).encode())
        return text, start, start + len(value.encode())
    if form == "urlencoded":
        head = "GET /callback?data="
        # Python's quote, or what JavaScript's encodeURIComponent leaves as written.
        safe = rng.choice(["", "-_.!~*'()"])
        enc_prefix, enc_value = (
            urllib.parse.quote(prefix, safe=safe),
            urllib.parse.quote(value, safe=safe),
        )
        text = head + enc_prefix + enc_value + urllib.parse.quote(suffix, safe=safe)
        start = len(head + enc_prefix)
        return text, start, start + len(enc_value)
    if form == "base64":
        head = "blob="
        text = head + base64.b64encode(inner.encode()).decode()
        return text, len(head), len(text)
    raise ValueError(form)


PLAIN_FORMS = ["log", "json", "stringified", "url", "header"]
ENCODED_FORMS = ["urlencoded", "base64"]


def generate(seed: int, count: int, negative_share: float = 0.35) -> list[dict]:
    rng = random.Random(seed)
    pos, neg = positives(rng), negatives(rng)
    out = []
    for i in range(count):
        if rng.random() < negative_share:
            form = rng.choice(PLAIN_FORMS)
            text, _, _ = embed(rng, "", next(neg), "", form)
            out.append({"text": text, "form": form, "spans": []})
            continue
        kind, prefix, value, suffix = next(pos)
        form = rng.choice(ENCODED_FORMS) if i % 10 == 9 else rng.choice(PLAIN_FORMS)
        if form == "url" and "\n" in value:
            form = "json"
        text, start, end = embed(rng, prefix, value, suffix, form)
        out.append(
            {"text": text, "form": form, "spans": [{"type": kind, "start": start, "end": end}]}
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--count", type=int, default=6000)
    args = parser.parse_args()
    for sample in generate(args.seed, args.count):
        print(json.dumps(sample))


if __name__ == "__main__":
    main()
