"""The Dockerfiles, without a Docker engine (none runs where the suite does).

Each is read and held to the image rules (multi-stage, uv's workspace pattern, the right
member, no dev dependencies, non-root user, healthcheck on the service's port, the right
command), and its builder stage is replayed in a temporary folder: the same COPYs from the
repository (with .dockerignore) and the same `uv sync` commands, after which the member
imports, the other members and the dev tools do not, and alembic finds the migrations.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from servicedesk_shared import devstack

from .dockerfile import parse, run_builder

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = {
    s.name: ("gateway" if s.name == "gateway" else f"services/{s.name}") for s in devstack.SERVICES
}


def member(name: str) -> dict:
    return tomllib.loads((ROOT / FOLDERS[name] / "pyproject.toml").read_text())["project"]


def service(name: str) -> devstack.Service:
    return next(s for s in devstack.SERVICES if s.name == name)


def uv_binary() -> str:
    for candidate in (shutil.which("uv"), ROOT / ".devstack" / "uv" / "bin" / "uv"):
        if candidate and Path(candidate).exists():
            return str(candidate)
    pytest.fail("uv is neither on the PATH nor in .devstack/uv (make install puts it there)")


@pytest.fixture(params=sorted(FOLDERS))
def name(request) -> str:
    return request.param


def test_every_service_has_a_multi_stage_dockerfile_on_uv(name):
    stages = parse(ROOT / FOLDERS[name] / "Dockerfile")
    builder, runtime = stages[-2], stages[-1]
    uv_image = stages[0].base
    assert uv_image.startswith("ghcr.io/astral-sh/uv:") and not uv_image.endswith(":latest")
    assert builder.name == "builder" and runtime.name is None
    assert builder.base == runtime.base and "slim" in runtime.base
    package = member(name)["name"]
    assert builder.all("RUN")[0].endswith(
        f"uv sync --frozen --no-dev --no-install-workspace --package {package}"
    )
    assert builder.all("RUN")[1].endswith(f"uv sync --frozen --no-dev --package {package}")
    assert runtime.all("COPY")[0] == "--from=builder /app /app"


def test_the_image_runs_the_service_as_an_unprivileged_user(name):
    runtime = parse(ROOT / FOLDERS[name] / "Dockerfile")[-1]
    kinds = [kind for kind, _ in runtime.instructions]
    (user,) = runtime.all("USER")
    assert user.split(":")[0] not in ("root", "0")
    assert kinds.index("USER") < kinds.index("CMD")
    module = service(name).module
    assert json.loads(runtime.all("CMD")[0]) == ["python", "-m", module]
    # The command the image runs is the member's own entry point.
    assert member(name)["scripts"][f"servicedesk-{name}"] == f"{module}.__main__:main"


def test_the_image_listens_on_all_interfaces_on_the_service_port_with_a_healthcheck(name):
    runtime = parse(ROOT / FOLDERS[name] / "Dockerfile")[-1]
    svc = service(name)
    env = runtime.env()
    prefix = svc.port_var.removesuffix("_PORT")
    assert env[svc.port_var] == str(svc.port)
    assert env[f"{prefix}_HOST"] == "0.0.0.0"  # noqa: S104 - inside the container
    assert str(svc.port) in runtime.all("EXPOSE")[0].split()
    (healthcheck,) = runtime.all("HEALTHCHECK")
    options, _, command = healthcheck.partition(" CMD ")
    assert "--interval=" in options and "--timeout=" in options
    argv = json.loads(command)
    assert argv[:2] == ["python", "-c"]
    assert "/healthz" in argv[2] and f"os.environ['{svc.port_var}']" in argv[2]


def test_the_gateway_image_serves_metrics_off_the_public_port():
    env = parse(ROOT / "gateway" / "Dockerfile")[-1].env()
    assert env["GATEWAY_METRICS_PORT"] != env["GATEWAY_PORT"]


def test_the_builder_stage_installs_the_member_and_nothing_else(name, tmp_path):
    """Replays COPY and `uv sync` for real (uv's cache makes it a few seconds)."""
    builder = parse(ROOT / FOLDERS[name] / "Dockerfile")[-2]
    ran = run_builder(builder, ROOT, tmp_path, uv_binary(), sys.executable)
    assert len(ran) == 2
    python = tmp_path / ".venv" / "bin" / "python"
    svc = service(name)
    others = [s.module for s in devstack.SERVICES if s.name != name]
    ini = f"{FOLDERS[name]}/alembic.ini" if svc.db_var else None
    # One interpreter: the member imports, nothing else does, alembic finds one head (the
    # migration step runs `alembic -c <ini> upgrade head` in this layout).
    probe = (
        "import importlib.util as u, sys\n"
        f"import {svc.module}\n"
        f"missing = [m for m in {[*others, 'pytest', 'ruff', 'kubernetes_validate']!r} "
        "if u.find_spec(m)]\n"
        "assert not missing, f'should not be installed: {missing}'\n"
        f"ini = {ini!r}\n"
        "if ini:\n"
        "    from alembic.config import Config\n"
        "    from alembic.script import ScriptDirectory\n"
        "    assert len(ScriptDirectory.from_config(Config(ini)).get_heads()) == 1\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    done = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    copied = [p for p in tmp_path.rglob("tests") if ".venv" not in p.parts]
    assert not copied, "tests are kept out by .dockerignore"


def test_the_gateway_image_builds_and_serves_the_web_ui():
    """The node stage is not replayed (npm ci is slow); its inputs and output are checked."""
    stages = parse(ROOT / "gateway" / "Dockerfile")
    (web,) = [s for s in stages if s.name == "web"]
    assert web.base.startswith("node:20")
    package = json.loads((ROOT / "frontend" / "package.json").read_text())
    assert "build" in package["scripts"] and (ROOT / "frontend" / "package-lock.json").exists()
    assert web.all("COPY")[0] == "frontend/package.json frontend/package-lock.json ./"
    assert web.all("RUN")[0].endswith("npm ci --no-audit --no-fund")
    assert web.all("RUN")[-1] == "npm run build"
    runtime = stages[-1]
    assert "--from=web /web/dist /app/frontend/dist" in runtime.all("COPY")
    assert runtime.env()["GATEWAY_WEB_DIR"] == "/app/frontend/dist"
