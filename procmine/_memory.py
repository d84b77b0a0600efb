"""How long freed memory is kept for reuse, set for the command line's analyses before polars loads.

polars' allocator (jemalloc) gives freed pages back to the system after half a second. The
analyses free and allocate column-sized arrays all the time, so they fault the same memory back
in again and again: at 10M events that was 1.8M page faults and 5–6 s of system time for
``procmine improve``. Kept for 10 s, the faults halve and the command is about 0.6 s quicker
(bottlenecks, improve, kpi; alternating runs in ``benchmarks/README.md``), for about 0.2–0.4 GiB
more at the peak. ``discover`` keeps polars' default: its peak is what a 10M log must fit in, and
it gains nothing.

Only the ``procmine`` command does this, only when polars is not loaded yet (jemalloc reads its
settings once, when it starts), and never over a ``_RJEM_MALLOC_CONF`` the user set.
"""

from __future__ import annotations

import os
import sys

#: The commands that keep freed memory longer.
ANALYSES = frozenset({"bottlenecks", "improve", "kpi", "loops", "compare", "cases", "diff", "monitor"})

#: Appended to polars' own settings (later settings win).
KEEP_FREED = "dirty_decay_ms:10000,muzzy_decay_ms:10000"


def command_of(argv: list[str]) -> str | None:
    """The procmine command a process was started for, from its whole command line
    (``sys.orig_argv``): ``procmine improve log.csv`` or ``python -m procmine.cli -q improve …``."""
    if "-m" in argv:
        at = argv.index("-m") + 1
        if at >= len(argv) or not argv[at].startswith("procmine"):
            return None
    else:
        at = next((i for i, a in enumerate(argv[:3]) if os.path.basename(a).removesuffix(".exe") == "procmine"), None)
        if at is None:
            return None
    return next((a for a in argv[at + 1:] if not a.startswith("-")), None)


def keep_freed_memory(argv: list[str] | None = None, environ=os.environ) -> bool:
    """Set :data:`KEEP_FREED` for polars when this process runs one of :data:`ANALYSES`."""
    argv = getattr(sys, "orig_argv", sys.argv) if argv is None else argv
    if "polars" in sys.modules or "_RJEM_MALLOC_CONF" in environ or command_of(argv) not in ANALYSES:
        return False
    environ["_RJEM_MALLOC_CONF"] = KEEP_FREED
    return True
