"""Regular expressions a user gives (``--history-pattern``, ``--id-pattern``), checked before use.

Python's ``re`` backtracks, and a match cannot be interrupted: a pattern such as ``(\\w+\\s?)+$``
on a long cell runs for hours. Patterns are therefore checked when they are given: a pattern
that does not compile, or that repeats something which itself repeats a variable number of
times (the shape of every catastrophic pattern of this kind), is refused in one line.

    >>> compile_user_regex(r"(?P<time>\\d{4}-\\d\\d-\\d\\d) (?P<resource>\\S+)", "--history-pattern").groupindex
    mappingproxy({'time': 1, 'resource': 2})
    >>> compile_user_regex(r"(a+)+b", "--id-pattern")
    Traceback (most recent call last):
    ...
    procmine.errors.LogFileError: --id-pattern '(a+)+b': a repeated group that itself repeats ('+' or '*' inside '+' or '*') can take hours on one line; write it without the nesting, e.g. (a+)+ as a+.
"""

from __future__ import annotations

import re
from re import _constants as _sre  # re's own parser (sre_parse / sre_constants are deprecated since 3.11)
from re import _parser as _sre_parse

from procmine.errors import LogFileError

#: the longest pattern accepted (a pattern is a line, not a file)
MAX_PATTERN_CHARS = 1000

_REPEATS = {_sre.MAX_REPEAT, _sre.MIN_REPEAT}
_POSSESSIVE = {_sre.POSSESSIVE_REPEAT}


def compile_user_regex(pattern: str, option: str) -> re.Pattern:
    """``pattern`` compiled, or :class:`~procmine.errors.LogFileError` (exit 2) naming ``option``
    when it is not a regular expression or could backtrack catastrophically."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise LogFileError(f"{option}: the pattern has {len(pattern):,} characters; at most {MAX_PATTERN_CHARS:,} "
                           "are accepted.")
    try:
        compiled = re.compile(pattern)
        parsed = _sre_parse.parse(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        raise LogFileError(f"{option} {pattern!r} is not a valid regular expression ({exc}).") from None
    if _nested_repeat(parsed, inside_repeat=False):
        raise LogFileError(f"{option} {pattern!r}: a repeated group that itself repeats ('+' or '*' inside '+' "
                           "or '*') can take hours on one line; write it without the nesting, e.g. (a+)+ as a+.")
    return compiled


def _nested_repeat(items, inside_repeat: bool) -> bool:
    """Whether a repeat of variable length sits inside a repeat that may run many times."""
    for op, av in items:
        if op in _REPEATS:
            low, high, sub = av
            variable = high == _sre.MAXREPEAT or high - low > 1
            if inside_repeat and variable:
                return True
            if _nested_repeat(sub, inside_repeat or high == _sre.MAXREPEAT or high > 1000):
                return True
        elif op in _POSSESSIVE:  # possessive repeats do not backtrack
            continue
        else:
            for sub in _children(av):
                if _nested_repeat(sub, inside_repeat):
                    return True
    return False


def _children(av):
    """The sub-patterns of a node's argument (groups, branches, lookarounds, conditionals)."""
    if isinstance(av, _sre_parse.SubPattern):
        yield av
    elif isinstance(av, (tuple, list)):
        for item in av:
            if isinstance(item, (_sre_parse.SubPattern, tuple, list)):
                yield from _children(item)
