"""The one family of errors procmine raises.

Every message names what is wrong, where (file, column, row) with an example of the bad
value, and how to fix it. The CLI prints the message on one line and exits non-zero.
"""

from __future__ import annotations


class ProcmineError(Exception):
    """Something procmine cannot do with the input it was given."""

    exit_code = 1


class LogFileError(ProcmineError):
    """The log file is missing, empty, or cannot be opened or decoded."""

    exit_code = 2


class ColumnError(ProcmineError):
    """A required column is missing, or more than one column fits a role."""

    exit_code = 2


class TimestampError(ProcmineError):
    """A time column cannot be read as dates and times."""

    exit_code = 2


class EmptyLogError(ProcmineError):
    """No usable events are left after reading and checking the log."""

    exit_code = 2


class DataQualityError(ProcmineError):
    """Data-quality problems were found and strict mode turns them into a failure."""

    exit_code = 3


class OutputError(ProcmineError):
    """An output cannot be written (it would overwrite an input, or the folder is not writable)."""

    exit_code = 4


class DesignError(ProcmineError):
    """A design of the future process (YAML, step table or BPMN) is malformed."""

    exit_code = 2


class MinerTimeout(ProcmineError):
    """A discovery algorithm (pm4py's inductive miner) did not finish within its time budget."""

    exit_code = 1
