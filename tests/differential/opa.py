"""The reference: one ``opa run --server`` on a free loopback port, driven over its REST API.

One server answers every case of a run (thousands a minute): per case the previous
policies are deleted, the data document is replaced (``PUT /v1/data``), the modules are
put (``PUT /v1/policies/<id>``) and the question asked (``POST /v1/data/<path>`` or
``POST /v1/query``). The server listens on 127.0.0.1 only and is stopped when the
``with`` block ends, whatever happened inside it.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from case import Case
from outcome import UNDEFINED, Kind, Outcome, query_value, value

# OPA error codes raised before evaluation (the server answers 400 with one of these).
COMPILE_CODES = frozenset(
    {
        "rego_parse_error",
        "rego_compile_error",
        "rego_type_error",
        "rego_unsafe_var_error",
        "rego_recursion_error",
        "invalid_parameter",
    }
)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OpaServer:
    """A running OPA REST server; use as a context manager.

    Args:
        binary: The ``opa`` executable (v1.22.2, built by ``setup.sh``).
        rego_version: 1, or 0 to start it with ``--v0-compatible`` (the REST API has no
            per-policy Rego version).
    """

    def __init__(self, binary: Path, rego_version: int = 1) -> None:
        self.binary = binary
        self.rego_version = rego_version
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.conn: http.client.HTTPConnection | None = None
        self.loaded: list[str] = []
        # What is loaded now (modules and data as JSON) and how loading it went: cases
        # asked in a row about the same policies load them once.
        # (the data document is compared by identity: sources share one object per load).
        self.current: tuple[tuple[tuple[str, str], ...], dict[str, Any]] | None = None
        self.load_error: Outcome | None = None
        # Whether load_error is OPA's final word on the set (an error inside a module).
        self.settled = False

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        self.port = free_port()
        args = [str(self.binary), "run", "--server", "--addr", f"127.0.0.1:{self.port}"]
        args += ["--log-level", "error", "--skip-version-check"]
        if self.rego_version == 0:
            args.append("--v0-compatible")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"opa exited with {self.proc.returncode} at start")
            try:
                status, _ = self._request("GET", "/health")
                if status == 200:
                    return
            except OSError:
                self.conn = None
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("opa server did not answer /health within 30 s")

    def stop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def _request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, Any]:
        """One request on the keep-alive connection (reopened once if the server closed it)."""
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                headers = {"content-type": "application/json"} if body is not None else {}
                self.conn.request(method, path, body, headers)
                response = self.conn.getresponse()
                raw = response.read()
                return response.status, json.loads(raw) if raw.strip() else {}
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _reset(self) -> None:
        """Deletes every loaded policy. OPA refuses to delete a module that the rest still
        needs (a function it defines), so refused deletions are tried again after the
        others, last loaded first; a set it will not let go of (modules calling each
        other's functions) costs a server restart."""
        pending = list(reversed(self.loaded))
        while pending:
            refused = []
            for policy_id in pending:
                status, _ = self._request("DELETE", f"/v1/policies/{policy_id}")
                if status != 200:
                    refused.append(policy_id)
            if len(refused) == len(pending):
                self.stop()
                self.start()
                break
            pending = refused
        self.loaded = []

    def _put_modules(self, modules: tuple[tuple[str, str], ...]) -> Outcome | None:
        """Puts every module; ``None`` when all compile, else the compile error.

        OPA compiles the whole set on each ``PUT``, so a module calling a function that a
        later module defines is refused until that module is in: modules refused are put
        again after the others until no more go in (load order is not part of the answer).
        """
        pending = list(enumerate(modules))
        last_error: Outcome | None = None
        while pending:
            refused = []
            for index, (name, text) in pending:
                policy_id = urllib.parse.quote(f"m{index}-{name.replace('/', '-')}", safe="")
                status, body = self._request("PUT", f"/v1/policies/{policy_id}", text.encode())
                if status == 200:
                    self.loaded.append(policy_id)
                else:
                    refused.append((index, (name, text)))
                    last_error = _error(status, body)
            if len(refused) == len(pending):
                return last_error
            pending = refused
        return None

    def _load(self, modules: tuple[tuple[str, str], ...], data: str) -> Outcome | None:
        """Replaces policies and data; the error when OPA refuses them."""
        self._reset()
        status, body = self._request("PUT", "/v1/data", data.encode())
        if status >= 300:
            return _error(status, body)
        return self._put_modules(modules)

    def ask(self, case: Case) -> Outcome:
        """OPA's answer to ``case``. A case with no input is asked with ``{}`` (as CoreSDK
        always has an input document)."""
        if self.current is None or self.current[0] != case.modules or self.current[1] is not case.data:
            self.current = (case.modules, case.data)
            self.load_error = self._load(case.modules, json.dumps(case.data))
            self.settled = False
        if self.load_error is not None:
            # Refused over REST: `opa eval` on the whole set decides, since modules that
            # call each other's functions cannot go in one PUT at a time. An error it
            # places in a module holds for every question about this set.
            if self.settled:
                return self.load_error
            answer, in_module = self._eval(case)
            if in_module:
                self.load_error, self.settled = answer, True
            return answer
        request = {"input": {} if case.input is None else case.input}
        params = "?strict-builtin-errors" if case.strict else ""
        if case.path:
            url = "/v1/data/" + "/".join(case.path.split(".")[1:])
            status, body = self._request("POST", url + params, json.dumps(request).encode())
            if status != 200:
                return _error(status, body)
            return value(body["result"]) if "result" in body else UNDEFINED
        request["query"] = case.query
        status, body = self._request("POST", "/v1/query" + params, json.dumps(request).encode())
        if status != 200:
            return _error(status, body)
        rows = body.get("result") or []
        return value(query_value(rows)) if rows else UNDEFINED

    def _eval(self, case: Case) -> tuple[Outcome, bool]:
        """OPA's answer from one ``opa eval`` process with every module at once, and
        whether it is an error located in a module (not in the question)."""
        with tempfile.TemporaryDirectory(prefix="differential-opa-") as tmp:
            root = Path(tmp)
            args = [str(self.binary), "eval", "--format", "json"]
            if self.rego_version == 0:
                args.append("--v0-compatible")
            if case.strict:
                args.append("--strict-builtin-errors")
            for index, (name, text) in enumerate(case.modules):
                path = root / f"m{index}-{name.replace('/', '-')}"
                path.write_text(text, encoding="utf-8")
                args += ["--data", str(path)]
            (root / "data.json").write_text(json.dumps(case.data), encoding="utf-8")
            (root / "input.json").write_text(json.dumps({} if case.input is None else case.input), encoding="utf-8")
            args += ["--data", str(root / "data.json"), "--input", str(root / "input.json"), case.question]
            done = subprocess.run(args, capture_output=True, check=False, timeout=120)
        body = json.loads(done.stdout or b"{}")
        if body.get("errors"):
            first = body["errors"][0]
            code = str(first.get("code", ""))
            kind = Kind.EVAL_ERROR if code.startswith("eval_") else Kind.COMPILE_ERROR
            message = str(first.get("message", "")).splitlines()[0][:300]
            in_module = kind is Kind.COMPILE_ERROR and bool((first.get("location") or {}).get("file"))
            return Outcome(kind, code=code, message=message), in_module
        rows = body.get("result") or []
        if not rows:
            return UNDEFINED, False
        if case.path:
            return value(rows[0]["expressions"][0]["value"]), False
        return value(query_value([row.get("bindings") or {} for row in rows])), False


def _error(status: int, body: Any) -> Outcome:
    """An error answer: compile errors are refused with 400, evaluation errors with 500."""
    errors = body.get("errors") or [] if isinstance(body, dict) else []
    codes = [str(e.get("code", "")) for e in errors if isinstance(e, dict)]
    code = codes[0] if codes else str(body.get("code", "")) if isinstance(body, dict) else ""
    message = str(body.get("message", "")) if isinstance(body, dict) else str(body)
    if errors and isinstance(errors[0], dict) and errors[0].get("message"):
        message = str(errors[0]["message"])
    compile_time = status == 400 and not code.startswith("eval_")
    kind = Kind.COMPILE_ERROR if compile_time or code in COMPILE_CODES - {"invalid_parameter"} else Kind.EVAL_ERROR
    return Outcome(kind, code=code, message=message.splitlines()[0][:300] if message else "")
