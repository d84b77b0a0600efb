"""Work done in a second Python process while this one goes on: the BPMN miner, the charts.

A :class:`HelperProcess` is a fresh interpreter (``python -c``) running one ``serve`` function:
it imports what it needs while this process reads the log, then answers requests one at a time,
pickled through its stdin and stdout. Neither this process's ``__main__`` nor its polars threads
are copied into it: ``multiprocessing``'s spawn fails on scripts without a main guard, and a
forked copy of a process whose polars threads hold locks can hang.

    >>> helper = HelperProcess("procmine.discover.bpmn:_serve")   # doctest: +SKIP
    >>> helper.ask(request)                                      # doctest: +SKIP
    >>> helper.answer(timeout=60)                                # doctest: +SKIP
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Callable

from procmine.errors import ProcmineError


#: Each answer is its size in this many bytes, then the pickle.
_SIZE_BYTES = 8

#: How much lower a helper process's scheduling priority is than its caller's (``nice``).
NICENESS = 10


class HelperStopped(ProcmineError):
    """The helper process stopped before it answered."""


class HelperProcess:
    """A second process serving requests (see the module docstring). ``serve`` names its loop as
    ``"module:function"``; the function calls :func:`serve` with its answering function."""

    def __init__(self, serve: str):
        import procmine

        module, function = serve.split(":")
        env = dict(os.environ)  # the child imports this very procmine, wherever it was imported from
        root = str(Path(procmine.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        self._process = subprocess.Popen([sys.executable, "-c", f"from {module} import {function}; {function}()"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)

    def ask(self, *request) -> None:
        """Send one request (OSError when the process is gone)."""
        pickle.dump(request, self._process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        self._process.stdin.flush()

    def answer(self, timeout: float | None) -> tuple | None:
        """The answer to the request sent; ``None`` when none came within ``timeout`` seconds (the
        process is then stopped); :class:`HelperStopped` when the process stopped first."""
        import select

        ready, _, _ = select.select([self._process.stdout], [], [], timeout)
        if not ready:
            self.close()
            return None
        try:
            size = int.from_bytes(self._read(_SIZE_BYTES), "little")
            return pickle.loads(self._read(size))
        except (EOFError, OSError, pickle.UnpicklingError):
            self.close()
            raise HelperStopped("stopped before it answered") from None

    def _read(self, size: int) -> bytes:
        """Exactly ``size`` bytes of the answers, read from the pipe itself: a buffered reader could
        take the next answer into its buffer, where select() does not see it (when several are
        asked for before the first is read, the wait for the second would never end)."""
        fd, parts = self._process.stdout.fileno(), []
        while size:
            part = os.read(fd, min(size, 1 << 20))
            if not part:
                raise EOFError
            parts.append(part)
            size -= len(part)
        return b"".join(parts)

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def close(self) -> None:
        """Stop the process (at once: nothing it holds needs saving)."""
        if self.alive:
            self._process.kill()
        self._process.wait(5)
        for stream in (self._process.stdin, self._process.stdout):
            try:
                stream.close()
            except OSError:
                pass


def started(enabled: bool, make: Callable[[], HelperProcess]) -> HelperProcess | None:
    """``make()``'s helper when ``enabled`` on a POSIX system (its pipes are polled with select());
    None otherwise, or when it cannot be started: the caller then does the work itself."""
    if not enabled or os.name != "posix":
        return None
    try:
        return make()
    except OSError:
        return None


def serve(answer: Callable[..., tuple], warm_up: Callable[[], None] | None = None) -> None:
    """A helper process's loop: ``warm_up()`` (imports, while the other process works), then
    ``answer(*request)`` for every request until stdin closes. Whatever the libraries print goes
    to stderr, so it cannot mix into the answers."""
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    requests = sys.stdin.buffer
    if hasattr(os, "nice"):  # the caller's work first: its parallel reading is not slowed by these imports
        os.nice(NICENESS)
    if warm_up is not None:
        warm_up()
    while True:
        try:
            request = pickle.load(requests)
        except (EOFError, OSError):
            return
        data = pickle.dumps(answer(*request), protocol=pickle.HIGHEST_PROTOCOL)
        answers.write(len(data).to_bytes(_SIZE_BYTES, "little") + data)  # its size first (see HelperProcess._read)
        answers.flush()
