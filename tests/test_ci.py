"""CI runs exactly what the README tells a new developer to run, on a fresh clone."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Install and run the tests**", 1)[1]
    match = re.search(r"```sh\n(.+?)\n```", section, re.DOTALL)
    assert match, "the README shows no test command"
    return match.group(1).strip()


def ci_lines() -> list[str]:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    return [line.strip() for line in script.splitlines() if not line.lstrip().startswith("#")]


def test_ci_runs_the_readme_test_command_last() -> None:
    command = readme_test_command()
    assert command.startswith("python3 -m venv .venv && ")
    assert [line for line in ci_lines() if line][-1] == command


def test_ci_runs_it_in_a_fresh_clone_so_no_old_virtual_environment_is_reused() -> None:
    lines = ci_lines()
    clone = next(i for i, line in enumerate(lines) if line.startswith("git clone "))
    into = next(i for i, line in enumerate(lines) if line.startswith('cd "$checkout/'))
    assert clone < into < lines.index(readme_test_command())
