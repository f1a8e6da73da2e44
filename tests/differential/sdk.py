"""The subject: CoreSDK's Python ``PolicyEngine``, one fresh engine per case.

Rego v0 modules need a v0 engine: the ``rego_version=0`` engine option where this build
has it, else a bundle directory whose ``.manifest`` says ``"rego_version": 0`` (the only
v0 route of older builds).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import coresdk

from case import Case
from outcome import UNDEFINED, Kind, Outcome, query_value, value

TIMEOUT_MS = 10_000

#: The engine's default evaluator; rule paths are also asked of the other one.
DEFAULT = "compiled"
OTHER = "interpreter"


def _engine(case: Case, evaluator: str) -> coresdk.PolicyEngine:
    options: dict[str, Any] = {"timeout_ms": TIMEOUT_MS, "strict_builtin_errors": case.strict}
    if evaluator != DEFAULT:
        options["evaluator"] = evaluator
    if case.rego_version == 0:
        options["rego_version"] = 0
    return coresdk.PolicyEngine(**options)


def has_rego_version_option() -> bool:
    """Whether this build's ``PolicyEngine`` takes ``rego_version``."""
    try:
        coresdk.PolicyEngine(rego_version=0)  # type: ignore[call-arg]
    except TypeError:
        return False
    return True


def _load_v0_bundle(engine: coresdk.PolicyEngine, case: Case) -> None:
    """Loads ``case`` as a bundle directory marked ``rego_version: 0``."""
    with tempfile.TemporaryDirectory(prefix="differential-v0-") as tmp:
        root = Path(tmp)
        (root / ".manifest").write_text(json.dumps({"rego_version": 0}), encoding="utf-8")
        (root / "data.json").write_text(json.dumps(case.data), encoding="utf-8")
        for index, (name, text) in enumerate(case.modules):
            # One folder per module keeps names unique and the load order visible.
            path = root / f"m{index:03d}" / Path(name).name
            path.parent.mkdir()
            path.write_text(text, encoding="utf-8")
        engine.load_bundle_path(root)


def _load(case: Case, v0_option: bool, evaluator: str) -> coresdk.PolicyEngine:
    if case.rego_version == 0 and not v0_option:
        engine = coresdk.PolicyEngine(timeout_ms=TIMEOUT_MS, strict_builtin_errors=case.strict)
        _load_v0_bundle(engine, case)
        return engine
    engine = _engine(case, evaluator)
    if case.modules:
        engine.add_modules(dict(case.modules))
    if case.data:
        engine.add_data(case.data)
    return engine


def _error(e: coresdk.CoreSdkError, kind: Kind) -> Outcome:
    # regorus puts the location first and the reason after it: keep a few lines.
    message = " | ".join(line.strip() for line in str(e.message).splitlines() if line.strip())[:400]
    return Outcome(kind, code=e.code, message=message)


class CoreSdk:
    """Asks CoreSDK; ``v0_option`` is :func:`has_rego_version_option` (probed once)."""

    def __init__(self) -> None:
        self.v0_option = has_rego_version_option()
        # The engine of the last case and what it was loaded from: cases asked in a row
        # about the same policies share one engine (evaluation does not change it).
        self.current: tuple[Any, ...] | None = None
        self.engine: coresdk.PolicyEngine | Outcome | None = None
        #: Rule-path evaluations by the evaluator that answered, over every engine so far.
        self.evaluators: dict[str, int] = {"compiled": 0, "interpreter": 0}

    def _retire(self) -> None:
        """Counts what the current engine's evaluators answered."""
        if isinstance(self.engine, coresdk.PolicyEngine):
            for name, n in self.engine.metrics()["evaluator"].items():
                self.evaluators[name] = self.evaluators.get(name, 0) + n

    def evaluator_counts(self) -> dict[str, int]:
        """:attr:`evaluators` with the current engine's counts included."""
        self._retire()
        self.engine, self.current = None, None
        return dict(self.evaluators)

    def _engine_for(self, case: Case, evaluator: str) -> coresdk.PolicyEngine | Outcome:
        key = (case.modules, id(case.data), case.rego_version, case.strict, evaluator)
        if self.current is None or self.current[:5] != key:
            # `data` is kept with the key so its id cannot be reused by another object.
            self._retire()
            self.current = (*key, case.data)
            try:
                self.engine = _load(case, self.v0_option, evaluator)
            except coresdk.CoreSdkError as e:
                self.engine = _error(e, Kind.COMPILE_ERROR)
        assert self.engine is not None
        return self.engine

    def ask(self, case: Case, evaluator: str = DEFAULT) -> Outcome:
        """CoreSDK's answer with ``evaluator`` answering rule paths: a load failure is a
        compile error; at evaluation ``POLICY_PARSE`` (a query that does not compile) is
        one too, every other code an evaluation error."""
        engine = self._engine_for(case, evaluator)
        if isinstance(engine, Outcome):
            return engine
        input_json = json.dumps({} if case.input is None else case.input)
        try:
            if case.path:
                decision = engine.evaluate_json(case.path, input_json)
                return value(decision.result) if decision.defined else UNDEFINED
            rows = engine.query_json(case.query, input_json).rows
        except coresdk.CoreSdkError as e:
            return _error(e, Kind.COMPILE_ERROR if e.code == "POLICY_PARSE" else Kind.EVAL_ERROR)
        bindings = [row.get("bindings") or {} for row in rows]
        return value(query_value(bindings)) if bindings else UNDEFINED
