"""Statistics, formatting and the result file shared by the Python comparison scripts
(the counterpart of stats.mjs)."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path
from typing import Any


def percentile(xs: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    ordered = sorted(xs)
    return (
        ordered[min(len(ordered) - 1, max(0, math.ceil(len(ordered) * p / 100) - 1))]
        if ordered
        else float("nan")
    )


def spread(xs: list[float]) -> int:
    """(max - min) / median of the runs, in percent: the noise between rounds."""
    return round((max(xs) - min(xs)) / statistics.median(xs) * 100)


def format_us(value: float) -> str:
    """Microseconds with a precision that suits their size."""
    return (
        f"{value / 1000:.2f} ms"
        if value >= 1000
        else f"{value:.0f} µs"
        if value >= 10
        else f"{value:.1f} µs"
    )


def ratio_label(base: float, rate: float) -> str:
    """How CoreSDK (rate `base`) compares with an anchor (rate `rate`), in words."""
    return (
        f"CoreSDK {base / rate:.2f}× faster"
        if base >= rate
        else f"anchor {rate / base:.2f}× faster"
    )


def write_result(out: str | Path, result: dict[str, Any]) -> None:
    """Writes one result (`suite`, `command`, `tables`, `raw`; benchmarks/README.md)."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2))
