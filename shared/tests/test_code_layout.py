"""`make format` settles the layout of every Python file: no line opts out of the formatter
(ruff's `fmt` skip and off
comments), and the tree as committed is what `ruff format` would write.
A hand-aligned block is a diff in every later change that touches it and an argument in
every review; the formatter's layout is the one nobody has to defend.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OPT_OUT = re.compile(r"#\s*fmt:\s*(skip|off)\b")


def tracked_python_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [ROOT / name for name in listed.stdout.split()]


def test_no_line_opts_out_of_the_formatter() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in tracked_python_files()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if OPT_OUT.search(line)
    ]
    assert offenders == [], "the formatter decides the layout: " + ", ".join(offenders)


def test_the_tree_is_formatted() -> None:
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [str(ruff), "format", "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, "run `make format`:\n" + result.stdout + result.stderr
