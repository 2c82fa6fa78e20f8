"""Just enough of a Dockerfile reader to check the images without a Docker engine.

`parse` splits a Dockerfile into stages of (instruction, arguments) pairs, continuation
lines joined. `run_builder` replays a builder stage in a directory: its `COPY`s from the
build context (honouring .dockerignore) and its `RUN uv sync ...` lines, so the suite
proves that the files the image copies are enough for uv to install the member, and that
nothing else gets in.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, instruction: str) -> list[str]:
        return [args for kind, args in self.instructions if kind == instruction]

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for args in self.all("ENV"):
            for pair in shlex.split(args):
                name, _, value = pair.partition("=")
                values[name] = value
        return values


def parse(path: Path) -> list[Stage]:
    text = re.sub(r"\\\n", " ", path.read_text())
    stages: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kind, _, args = line.partition(" ")
        kind, args = kind.upper(), " ".join(args.split())
        if kind == "FROM":
            base, _, name = args.partition(" AS ")
            stages.append(Stage(base.strip(), name.strip() or None))
        elif stages:
            stages[-1].instructions.append((kind, args))
    return stages


def _regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as a regex: `**/` any folders, `*` and `?` within one."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def ignored(relative: str, patterns: list[str]) -> bool:
    """Whether .dockerignore keeps `relative` out: the last matching pattern (on the path
    or a folder above it) decides; `!` lets a path back in."""
    parts = relative.split("/")
    paths = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        regex = _regex(pattern.removeprefix("!").strip("/"))
        if any(regex.fullmatch(p) for p in paths):
            result = not negate
    return result


def dockerignore(context: Path) -> list[str]:
    path = context / ".dockerignore"
    lines = path.read_text().splitlines() if path.exists() else []
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _copy(context: Path, workdir: Path, args: str, patterns: list[str]) -> None:
    *sources, dest = shlex.split(args)
    target = workdir / dest
    for source in sources:
        origin = context / source
        if origin.is_dir():
            for path in sorted(origin.rglob("*")):
                relative = path.relative_to(context).as_posix()
                if path.is_file() and not ignored(relative, patterns):
                    out = target / path.relative_to(origin)
                    out.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, out)
        else:
            assert origin.is_file(), f"COPY {source}: not in the build context"
            assert not ignored(source, patterns), f"COPY {source}: excluded by .dockerignore"
            out = target / origin.name if dest.endswith("/") or len(sources) > 1 else target
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, out)


def run_builder(stage: Stage, context: Path, workdir: Path, uv: str, python: str) -> list[str]:
    """Replay the stage's COPYs from the context and its `uv sync` RUNs; the commands run."""
    patterns = dockerignore(context)
    env = {**os.environ, **stage.env(), "UV_PYTHON": python}
    # Bytecode and copies change nothing about what gets installed; they only cost time.
    env.update(UV_COMPILE_BYTECODE="0", UV_LINK_MODE="hardlink")
    env.pop("VIRTUAL_ENV", None)
    ran = []
    for kind, args in stage.instructions:
        if kind == "COPY" and not args.startswith("--from"):
            _copy(context, workdir, args, patterns)
        elif kind == "RUN" and "uv sync" in args:
            command = [w for w in shlex.split(args) if not w.startswith("--mount=")]
            assert command[:2] == ["uv", "sync"], args
            done = subprocess.run(
                [uv, *command[1:]], cwd=workdir, env=env, capture_output=True, text=True,
                timeout=300,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            ran.append(" ".join(command))
    return ran
