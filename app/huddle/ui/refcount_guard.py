"""A guard against a PySide6 binding bug that otherwise aborts the app after a while.

PySide6 6.12.0 on Python 3.11 drops one reference to ``None`` every time Python
calls a Qt method that returns nothing (``setText``, ``processEvents``...), and
one to ``True`` on every signal emission. After some thousands of calls CPython
believes ``None`` is unused, frees it and aborts ("Fatal Python error:
none_dealloc"). PySide6 6.11 does not do this, and from Python 3.12 on these
objects are immortal, which hides it.

`guard_refcounts` measures whether the running PySide6 has the bug and, only
then, does what Python 3.12 does: it gives ``None``, ``True`` and ``False`` a
reference count too large to ever reach zero. It changes nothing else.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import QObject

log = logging.getLogger(__name__)

_IMMORTAL = 1 << 40
_PROBES = 16
_guarded = False


def has_refcount_bug() -> bool:
    """Whether calling a void Qt method costs ``None`` a reference (measured)."""
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(_PROBES):
        probe.setObjectName("probe")
    return sys.getrefcount(None) <= before - _PROBES // 2


def guard_refcounts() -> bool:
    """Make ``None``, ``True`` and ``False`` immortal if this PySide6 needs it."""
    global _guarded  # noqa: PLW0603 - once per process
    if _guarded:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    if not has_refcount_bug():
        return False
    for singleton in (None, True, False):
        # CPython < 3.12 keeps the reference count in the object's first field.
        ctypes.c_ssize_t.from_address(id(singleton)).value += _IMMORTAL
    _guarded = True
    log.info("PySide6 drops references to None; guarded against it")
    return True
