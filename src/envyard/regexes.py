"""The one way to compile a regular expression a user wrote (override rules, asset tags).

Python warns about some valid patterns at compile time (``FutureWarning: Possible nested set``
for ``[[``, and similar notices for future syntax changes). A user's pattern is data, not
Envyard's code: such a warning must neither print in the middle of a command's output nor,
under ``python -W error``, turn into an exception. :func:`compile_user_regex` compiles with
those warnings silenced; a pattern that is really invalid still raises :class:`re.error`.
"""

from __future__ import annotations

import re
import warnings

__all__ = ["compile_user_regex"]


def compile_user_regex(text: str) -> re.Pattern[str]:
    """``re.compile(text)`` without Python's warnings about the pattern's syntax.

    Raises :class:`re.error` when ``text`` is not a valid regular expression; callers turn it
    into a user error naming the file, line and field.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return re.compile(text)
