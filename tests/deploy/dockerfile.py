"""Just enough of a Dockerfile reader to check the images without a Docker engine.

`resolve` splits a Dockerfile into stages of (instruction, arguments) pairs, continuation
lines joined, as the builder reads it with given build arguments: a stage built `FROM`
another (`FROM service-${SERVICE}`) is linked to it and inherits its ENV, and `$VAR` /
`${VAR}` are expanded from the ARGs and ENVs in scope where Docker expands them (and in
RUN, as its shell would); a variable of a base image outside the file stays as written.
`run_builder` replays a builder stage in a directory: its `COPY`s from the build context
(honouring .dockerignore) and its `RUN uv sync ...` lines, so the suite proves that the
files the image copies are enough for uv to install the member, and that nothing else
gets in.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")
EXPANDED = {"ADD", "COPY", "ENV", "EXPOSE", "LABEL", "RUN", "USER", "WORKDIR"}


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)
    parent: Stage | None = None  # the stage it is built FROM, when it names one

    def all(self, instruction: str) -> list[str]:
        """This stage's own instructions of one kind."""
        return [args for kind, args in self.instructions if kind == instruction]

    def chain(self) -> list[Stage]:
        """The stages this one is built on, the first (on an image) first, then itself."""
        return [*(self.parent.chain() if self.parent else []), self]

    def inherited(self, instruction: str) -> list[str]:
        """The instructions of one kind over the whole chain: the last is in effect."""
        return [args for stage in self.chain() for args in stage.all(instruction)]

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for args in self.inherited("ENV"):
            for pair in shlex.split(args):
                name, _, value = pair.partition("=")
                values[name] = value
        return values


def _instructions(path: Path) -> Iterator[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", path.read_text())
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            kind, _, args = line.partition(" ")
            yield kind.upper(), " ".join(args.split())


def expand(text: str, scope: dict[str, str]) -> str:
    return VARIABLE.sub(lambda m: scope.get(m[1] or m[2], m[0]), text)


def resolve(path: Path, **build_args: str) -> list[Stage]:
    """The stages as the builder sees them with these build arguments (`--build-arg`)."""
    meta: dict[str, str] = {}  # the ARGs before the first FROM, for FROM lines
    stages: list[Stage] = []
    scope: dict[str, str] | None = None
    for kind, args in _instructions(path):
        if kind == "ARG":
            name, has_default, default = args.partition("=")
            fallback = default if has_default else meta.get(name)
            value = build_args.get(name, fallback)
            if value is not None:
                (meta if scope is None else scope)[name] = value
        elif kind == "FROM":
            base, _, name = expand(args, meta).partition(" AS ")
            parent = next((s for s in stages if s.name == base.strip()), None)
            stages.append(Stage(base.strip(), name.strip() or None, parent=parent))
            scope = parent.env() if parent else {}
        elif scope is not None:
            args = expand(args, scope) if kind in EXPANDED else args
            stages[-1].instructions.append((kind, args))
            if kind == "ENV":
                scope.update(pair.split("=", 1) for pair in shlex.split(args))
    return stages


def needs(stage: Stage, stages: list[Stage]) -> set[str]:
    """The names of the stages an image built from `stage` needs: its chain and every stage
    it copies from (BuildKit builds these and skips the rest)."""
    by_name = {s.name: s for s in stages if s.name}
    found: set[str] = set()
    for link in stage.chain():
        found.add(link.name or "")
        for args in link.all("COPY"):
            source = args.split()[0].removeprefix("--from=")
            if args.startswith("--from=") and source in by_name:
                found |= needs(by_name[source], stages)
    return found - {""}


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
                [uv, *command[1:]],
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode == 0, done.stderr
            ran.append(" ".join(command))
    return ran
