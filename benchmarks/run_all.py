"""Run every benchmark in one go on this machine and print one Markdown report.

Each runner prints our figure beside its floor, measured in the same run (see the
module docstrings): ``bench_core.py`` (answering, start-up, import), ``bench_slack.py``
(personabot serve vs a minimal bolt echo app), ``bench_teams.py`` (vs botbuilder's
echo bot), ``bench_quiz.py`` (quiz answer clicks vs questions asked in the same
run, then 1,000 players at once), ``bench_live_quiz.py`` (300 players clicking one
live quiz question within 2 s in a Slack and a Teams channel, vs bare bolt and
botbuilder), ``bench_roleplay.py`` (marking role-play answers vs a word-overlap floor)
and ``bench_reviews.py`` (due personas with their context on PostgreSQL, and 500 review
prompts through the fake Slack with rate limits; it needs ``--postgres`` or
``PERSONABOT_TEST_DATABASE_URL``) and ``bench_feedback.py`` (feedback DMs confirmed beside
ask DMs on Slack, and how soon another process answers with an approved change). This
script adds the machine they ran on and runs them one after another, so they do not
compete with each other for the CPU.

Usage: ``python benchmarks/run_all.py [--out FILE] [--quick]``; ``--quick`` runs a tenth
of the load (a smoke run, not figures for the README). Exit status 1 if a runner failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

RUNNERS: tuple[tuple[str, list[str], list[str]], ...] = (
    ("Answering", ["bench_core.py"], ["--questions", "200"]),
    ("Slack", ["bench_slack.py"], ["--events", "100"]),
    ("Teams", ["bench_teams.py", "--reply-timeout", "120"], ["--events", "100"]),
    ("Quizzes on Slack", ["bench_quiz.py"], ["--players", "10", "--users", "100"]),
    ("Live quiz in one busy channel", ["bench_live_quiz.py"], ["--players", "30"]),
    ("Role-play scoring", ["bench_roleplay.py"], ["--answers", "300", "--sessions", "2"]),
    (
        "Reviews",
        ["bench_reviews.py"],
        ["--personas", "100", "--questions", "10000", "--prompt-personas", "25", "--repeat", "1"],
    ),
    (
        "Feedback on Slack, and approvals seen by another process",
        ["bench_feedback.py", "--messages", "200", "--concurrency", "20", "--cost-steps", "0,500"],
        ["--messages", "20", "--concurrency", "10", "--rounds", "2", "--cost-steps", "0,50"],
    ),
)


def machine() -> str:
    """One line describing this machine: CPU model, cores, memory, OS, Python."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024**2:.0f} GiB RAM"
                break
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} CPUs{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}{load}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    parser.add_argument("--quick", action="store_true", help="a tenth of the load (smoke run)")
    args = parser.parse_args(argv)

    report = [
        f"# personabot benchmarks, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {machine()}",
        "",
    ]
    failed = []
    for title, command, quick in RUNNERS:
        started = time.monotonic()
        script, *options = command
        cmd = [sys.executable, str(HERE / script), *options, *(quick if args.quick else [])]
        print(f"running {script} …", file=sys.stderr, flush=True)
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
        took = time.monotonic() - started
        report += [f"## {title} (`{' '.join([script, *options])}`, {took:.0f} s)", ""]
        report.append(result.stdout.rstrip())
        if result.returncode != 0:
            failed.append(script)
            report += ["", f"**{script} failed (exit {result.returncode}):**", "", "```"]
            report += [result.stderr.rstrip()[-2000:], "```"]
        report.append("")
    text = "\n".join(report)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
