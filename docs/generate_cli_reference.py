"""Write docs/cli-reference.md from the commands' own --help, so it never goes stale.

    python docs/generate_cli_reference.py
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from procmine.cli import cli

TARGET = Path(__file__).with_name("cli-reference.md")


def render() -> str:
    runner = CliRunner()
    parts = [
        "# CLI reference",
        "",
        "Generated from `procmine --help` by `docs/generate_cli_reference.py`; do not edit by hand.",
        "",
        "## procmine",
        "",
        "```text",
        runner.invoke(cli, ["--help"], prog_name="procmine", terminal_width=100).output.rstrip(),
        "```",
    ]
    for name in sorted(cli.commands):
        result = runner.invoke(cli, [name, "--help"], prog_name="procmine", terminal_width=100)
        parts += ["", f"## procmine {name}", "", "```text", result.output.rstrip(), "```"]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
