"""The command line's analyses keep freed memory longer (procmine/_memory.py): for them only,
set before polars loads, never over the user's own setting."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from procmine._memory import KEEP_FREED, command_of


@pytest.mark.parametrize("argv, command", [
    (["python", "-m", "procmine.cli", "-q", "improve", "log.csv"], "improve"),
    (["/venv/bin/python", "/venv/bin/procmine", "--debug", "kpi", "log.csv"], "kpi"),
    (["/venv/bin/python", "/venv/bin/procmine", "discover", "log.csv"], "discover"),
    (["python", "-m", "pytest", "-q"], None),
    (["python", "-c", "import procmine"], None),
    (["python", "notebook_kernel.py", "improve"], None),
])
def test_the_command_is_read_from_the_whole_command_line(argv, command):
    assert command_of(argv) == command


def _conf_after_import(orig_argv: list[str], **env: str) -> str:
    """_RJEM_MALLOC_CONF as a fresh interpreter sees it after ``import procmine``, started as ``orig_argv``."""
    code = (f"import sys; sys.orig_argv = {orig_argv!r}\n"
            "import os, procmine\n"
            "print(os.environ.get('_RJEM_MALLOC_CONF', 'unset'))")
    clean = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    done = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


def test_an_analysis_keeps_freed_memory_and_polars_gets_the_setting():
    conf = _conf_after_import(["python", "-m", "procmine.cli", "bottlenecks", "x.csv"])
    # polars puts its own defaults first, then what it found: ours, which win
    assert conf.endswith(KEEP_FREED) and conf.startswith("dirty_decay_ms:")


def test_discover_and_library_use_keep_polars_defaults_and_the_users_setting_wins():
    assert KEEP_FREED not in _conf_after_import(["python", "-m", "procmine.cli", "discover", "x.csv"])
    assert KEEP_FREED not in _conf_after_import(["python", "-c", "import procmine"])
    mine = "dirty_decay_ms:0"
    assert _conf_after_import(["python", "-m", "procmine.cli", "improve", "x.csv"],
                              _RJEM_MALLOC_CONF=mine).endswith("," + mine)
