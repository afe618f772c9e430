"""Stand-ins for what a forked kernel's set-up reads of every module, made before the fork.

Loaded by :mod:`envyard.notebooks.forkprep` from its own folder, in the kernel's interpreter:
standard library only. Two set-up steps read every module in a child: ``IPythonKernel.__init__``
lists the modules' files for its debugger (``sys.modules.copy().values()``) and IPython's
``init_code`` keeps their names (``set(sys.modules.keys())``). Reading an object writes its
reference count, so each step copied the pages of ~1,000 module objects or names (the file
scan alone ~1,700 pages; a kernel's page faults ~4,500 -> ~3,280 with both read here).
:func:`reading` runs such a step with its module's ``sys`` being a :class:`SysView`, whose
``modules`` answers ``copy``/``values``/``keys`` from new objects kept together, and
everything else from the real ``sys.modules``; only while that has as many entries as when
the stand-ins were made (else it is the real one).
"""

from __future__ import annotations

import sys
from collections import UserDict
from typing import Any


class _File:
    """A module as the file scan reads it: its ``__file__`` only."""

    __slots__ = ("__file__",)

    def __init__(self, file: str) -> None:
        self.__file__ = file


class _Modules(UserDict):  # type: ignore[type-arg]
    """``sys.modules`` itself (``data``), but for ``copy``, ``values`` and ``keys``."""

    def __init__(self) -> None:  # no super().__init__: data is the real dict, not a copy
        self.data = sys.modules
        modules = sys.modules.copy()
        files = [m.__file__ for m in modules.values() if getattr(m, "__file__", None)]
        self.files = [_File(str(f).encode().decode()) for f in files]  # new strings, together
        self.names = [name.encode().decode() for name in modules]
        self.count = len(modules)

    def copy(self) -> _Modules:
        return self

    def values(self) -> Any:
        return self.files

    def keys(self) -> Any:
        return self.names


class SysView:
    """``sys`` with ``modules`` read from :class:`_Modules` while ``sys.modules`` keeps its
    size; every other attribute read from and written to the real ``sys``."""

    def __init__(self) -> None:
        vars(self)["stand_ins"] = _Modules()

    @property
    def modules(self) -> Any:
        stand_ins: _Modules = vars(self)["stand_ins"]
        return stand_ins if len(sys.modules) == stand_ins.count else sys.modules

    def __getattr__(self, name: str) -> Any:
        return getattr(sys, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(sys, name, value)


def reading(view: SysView | None, function: Any, module: Any) -> Any:
    """``function``, with ``module``'s ``sys`` being ``view`` while it runs (if it is ``sys``)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        real = getattr(module, "sys", None)
        if view is None or real is not sys:
            return function(*args, **kwargs)
        module.sys = view
        try:
            return function(*args, **kwargs)
        finally:
            module.sys = real

    return wrapper
