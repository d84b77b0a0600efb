"""The documentation covers every command and its reference is current."""

from __future__ import annotations

import importlib.util

from procmine.cli import cli

from conftest import ROOT


def load_generator():
    spec = importlib.util.spec_from_file_location("gen", ROOT / "docs" / "generate_cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current():
    generator = load_generator()
    current = (ROOT / "docs" / "cli-reference.md").read_text(encoding="utf-8")
    assert current == generator.render(), "run: python docs/generate_cli_reference.py"


def test_every_command_has_a_worked_example_in_the_docs():
    guide = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"procmine {name}" in guide, f"docs/cli.md does not show `procmine {name}`"
