"""A loopback decision-log receiver for the middleware load benchmark (load_middleware.py):
answers OPA's decision-log API, `POST /logs` with a JSON array of events (gzip'd when the
request says `Content-Encoding: gzip`), and appends each event's `decision_id` as a line to
`--out` (`?` for an event without one) before answering 200, so what it acknowledged survives the process being killed
(SIGKILL) and a restart on the same port appends to the same file. `GET /health` answers
with the counts this process has seen. Standard library only.

    python benchmarks/compare/log_receiver.py --port 18181 --out target/bench/ids.txt
"""

from __future__ import annotations

import argparse
import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO


class Receiver(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, out: IO[str]) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.out = out
        self.lock = threading.Lock()
        self.posts = 0
        self.events = 0
        self.malformed = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a collector would
    server: Receiver

    def log_message(self, format: str, *args: object) -> None:
        pass

    def answer(self, status: int, body: bytes = b"") -> None:
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path != "/health":
            self.answer(404)
            return
        with self.server.lock:
            counts = {
                "posts": self.server.posts,
                "events": self.server.events,
                "malformed": self.server.malformed,
            }
        self.answer(200, json.dumps(counts).encode())

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        if self.path != "/logs":
            self.answer(404)
            return
        try:
            if self.headers.get("content-encoding", "").lower() == "gzip":
                body = gzip.decompress(body)
            events = json.loads(body)
            if not isinstance(events, list):
                raise ValueError("not a JSON array")
        except ValueError as e:  # json.JSONDecodeError, gzip.BadGzipFile are ValueErrors
            self.answer(400, json.dumps({"error": str(e)}).encode())
            return
        ids = [e.get("decision_id") if isinstance(e, dict) else None for e in events]
        with self.server.lock:
            # An event without a decision_id is a line "?" (counted as malformed).
            self.server.out.write("".join(f"{i if isinstance(i, str) else '?'}\n" for i in ids))
            self.server.out.flush()  # in the kernel before the 200: a SIGKILL keeps it
            self.server.posts += 1
            self.server.events += len(ids)
            self.server.malformed += sum(not isinstance(i, str) for i in ids)
        self.answer(200)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True, help="file the decision ids are appended to")
    args = parser.parse_args()
    with open(args.out, "a", encoding="utf-8") as out:
        server = Receiver(args.port, out)
        print("ready", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
