"""The dev tooling stays out of what runs in an image: no runtime source file imports
`servicedesk_devtools`, and no runtime member depends on `servicedesk-devtools` (an image
is `uv sync --package servicedesk-<name>`, which installs what the member depends on)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEVTOOLS = "servicedesk_devtools"
# What an image holds: the sources of every member but devtools, and the migrations.
RUNTIME_GLOBS = [
    "shared/src",
    "gateway/src",
    "services/*/src",
    "services/*/migrations",
    "tools/*/src",
]


def runtime_files() -> list[Path]:
    roots = [root for pattern in RUNTIME_GLOBS for root in ROOT.glob(pattern)]
    return sorted(f for root in roots for f in root.rglob("*.py"))


def imports_devtools(source: str) -> list[int]:
    """Lines of `import servicedesk_devtools[.x]` and `from servicedesk_devtools[.x] import`."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        if any(name == DEVTOOLS or name.startswith(f"{DEVTOOLS}.") for name in names):
            lines.append(node.lineno)
    return lines


def test_no_runtime_source_imports_the_dev_tooling() -> None:
    found = {
        f"{path.relative_to(ROOT)}:{lines}"
        for path in runtime_files()
        if (lines := imports_devtools(path.read_text()))
    }
    assert not found, f"runtime code imports {DEVTOOLS} (never in an image): {sorted(found)}"


def test_the_walk_covers_every_runtime_member() -> None:
    members = {path.relative_to(ROOT).parts[:2] for path in runtime_files()}
    wanted = {("shared", "src"), ("gateway", "src"), ("tools", "refresh")}
    wanted |= {("services", s) for s in ("auth", "tickets", "notifications", "ai-assist")}
    assert wanted <= members
    assert ROOT / "gateway/src/servicedesk_gateway/config.py" in runtime_files()


def test_no_runtime_member_depends_on_the_dev_tooling() -> None:
    workspace = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]
    members = [path for pattern in workspace["members"] for path in ROOT.glob(pattern)]
    runtime = [path for path in members if path.name != "devtools"]
    assert len(runtime) == len(members) - 1 >= 7
    for path in runtime:
        project = tomllib.loads((path / "pyproject.toml").read_text())["project"]
        extras = project.get("optional-dependencies", {}).values()
        requirements = [*project.get("dependencies", []), *(r for e in extras for r in e)]
        assert not [r for r in requirements if r.startswith("servicedesk-devtools")], path


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import servicedesk_devtools", [1]),
        ("import os, servicedesk_devtools.testing as t", [1]),
        ("from servicedesk_devtools import devstack", [1]),
        ("\nfrom servicedesk_devtools.devstack import SERVICES", [2]),
        ("import servicedesk_devtoolsx\nfrom servicedesk_shared import topology", []),
        ("def f():\n    from servicedesk_devtools import testing", [2]),
    ],
)
def test_imports_devtools_finds_every_spelling(source: str, expected: list[int]) -> None:
    assert imports_devtools(source) == expected
