"""A :class:`logging.Filter` that masks log records before any handler writes them."""

from __future__ import annotations

import logging
from typing import Any

from .errors import CoreSdkError
from .mask import Masker

__all__ = ["MaskingFilter"]


class MaskingFilter(logging.Filter):
    """Masks each record's message (the ``%``-formatted result, so arguments are covered)
    and the string values of ``extra`` fields; mappings passed as ``extra`` values are
    masked as JSON (sensitive keys such as ``password`` replaced). Attach it to a handler
    (``handler.addFilter(MaskingFilter())``) so records from every logger are covered.
    A record that cannot be masked gets the message ``"[masking failed: <code>]"`` rather
    than being written unmasked."""

    _STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None)))

    def __init__(self, masker: Masker | None = None) -> None:
        super().__init__()
        self._masker = masker or Masker()

    def filter(self, record: logging.LogRecord) -> bool:
        """Masks ``record`` in place; always keeps it (returns True)."""
        try:
            record.msg = self._masker.mask_text(record.getMessage())
            record.args = None
            for key, value in list(vars(record).items()):
                if key in self._STANDARD or key == "message":
                    continue
                setattr(record, key, self._mask_extra(value))
        except CoreSdkError as e:
            record.msg, record.args = f"[masking failed: {e.code}]", None
        return True

    def _mask_extra(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._masker.mask_text(value)
        if isinstance(value, (dict, list)):
            return self._masker.mask_value(value)
        return value
