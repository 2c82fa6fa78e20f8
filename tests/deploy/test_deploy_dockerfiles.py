"""The one Dockerfile, without a Docker engine (none runs where the suite does).

It is read as the builder would read it for each service (`--build-arg SERVICE=<name>`)
and each image is held to the rules (multi-stage, uv's workspace pattern, the right
member, no dev dependencies, non-root user, healthcheck on the service's port, the right
command); each builder stage is replayed in a temporary folder: the same COPYs from the
repository (with .dockerignore) and the same `uv sync` commands, after which the member
imports, the other members, servicedesk_devtools and the dev tools do not, and alembic
finds the migrations.
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

from servicedesk_devtools import devstack

from .dockerfile import Stage, needs, resolve, run_builder

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
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


def image(name: str) -> tuple[list[Stage], Stage]:
    """The stages read with SERVICE=name, and the image they build (the last)."""
    stages = resolve(DOCKERFILE, SERVICE=name)
    return stages, stages[-1]


def stage(stages: list[Stage], name: str) -> Stage:
    (found,) = [s for s in stages if s.name == name]
    return found


@pytest.fixture(params=sorted(FOLDERS))
def name(request) -> str:
    return request.param


def test_one_dockerfile_has_a_row_for_every_service_and_no_other():
    names = [s.name or "" for s in resolve(DOCKERFILE)]
    for kind in ("service-", "image-"):
        assert {n.removeprefix(kind) for n in names if n.startswith(kind)} == set(FOLDERS)
    for folder in FOLDERS.values():
        assert not (ROOT / folder / "Dockerfile").exists(), "one Dockerfile, at the root"


def test_every_service_image_is_multi_stage_on_uv(name):
    stages, final = image(name)
    builder = stage(stages, "builder")
    uv_image = stages[0].base
    assert uv_image.startswith("ghcr.io/astral-sh/uv:") and not uv_image.endswith(":latest")
    # Both are built on the service's row of the table, on the same slim Python.
    assert [s.name for s in builder.chain()] == ["base", f"service-{name}", "builder"]
    assert f"service-{name}" in [s.name for s in final.chain()]
    python = final.chain()[0].base
    assert builder.chain()[0].base == python and "slim" in python
    package = member(name)["name"]
    runs = builder.all("RUN")
    assert runs[0].endswith(f"uv sync --frozen --no-dev --no-install-workspace --package {package}")
    assert runs[1].endswith(f"uv sync --frozen --no-dev --package {package}")
    assert f"{FOLDERS[name]}/ {FOLDERS[name]}/" in builder.all("COPY")
    # Compiled at build time: the runtime user cannot write __pycache__ (read-only code).
    assert runs[2] == f"python -m compileall -q shared/src {FOLDERS[name]}/src"
    assert final.inherited("COPY")[0] == "--from=builder /app /app"
    assert final.inherited("LABEL")[-1] == f'org.opencontainers.image.title="{package}"'


def test_the_image_runs_the_service_as_an_unprivileged_user(name):
    _, final = image(name)
    user = final.inherited("USER")[-1]  # the last USER is the one the container runs as
    assert user.split(":")[0] not in ("root", "0")
    module = service(name).module
    assert json.loads(final.inherited("CMD")[-1]) == ["python", "-m", module]
    # The command the image runs is the member's own entry point.
    assert member(name)["scripts"][f"servicedesk-{name}"] == f"{module}.__main__:main"


def test_the_image_listens_on_all_interfaces_on_the_service_port_with_a_healthcheck(name):
    _, final = image(name)
    svc = service(name)
    env = final.env()
    prefix = svc.port_var.removesuffix("_PORT")
    assert env[svc.port_var] == str(svc.port)
    assert env[f"{prefix}_HOST"] == "0.0.0.0"  # noqa: S104 - inside the container
    assert str(svc.port) in " ".join(final.inherited("EXPOSE")).split()
    healthcheck = final.inherited("HEALTHCHECK")[-1]
    options, _, command = healthcheck.partition(" CMD ")
    assert "--interval=" in options and "--timeout=" in options
    argv = json.loads(command)
    assert argv[:2] == ["python", "-c"]
    # The port the check calls is read from the service's own setting, named by the table.
    assert "/healthz" in argv[2] and "os.environ[os.environ['DESK_PORT_VAR']]" in argv[2]
    assert env["DESK_PORT_VAR"] == svc.port_var


def test_the_gateway_image_serves_metrics_off_the_public_port():
    env = image("gateway")[1].env()
    assert env["GATEWAY_METRICS_PORT"] != env["GATEWAY_PORT"]


def test_the_tickets_image_has_an_attachments_folder_the_service_may_write():
    _, final = image("tickets")
    directory = final.env()["TICKETS_ATTACHMENTS_DIR"]
    assert f"mkdir -p {directory} && chown desk:desk {directory}" in final.inherited("RUN")
    for other in set(FOLDERS) - {"tickets"}:
        assert not any("/data" in run for run in image(other)[1].inherited("RUN")), other


def test_the_builder_stage_installs_the_member_and_nothing_else(name, tmp_path):
    """Replays COPY and `uv sync` for real (uv's cache makes it a few seconds)."""
    builder = stage(image(name)[0], "builder")
    ran = run_builder(builder, ROOT, tmp_path, uv_binary(), sys.executable)
    assert len(ran) == 2
    python = tmp_path / ".venv" / "bin" / "python"
    svc = service(name)
    others = [s.module for s in devstack.SERVICES if s.name != name]
    absent = [*others, "servicedesk_devtools", "pytest", "ruff", "kubernetes_validate"]
    ini = f"{FOLDERS[name]}/alembic.ini" if svc.db_var else None
    # One interpreter: the member imports, nothing else does, alembic finds one head (the
    # migration step runs `alembic -c <ini> upgrade head` in this layout).
    probe = (
        "import importlib.util as u, sys\n"
        f"import {svc.module}\n"
        f"missing = [m for m in {absent!r} if u.find_spec(m)]\n"
        "assert not missing, f'should not be installed: {missing}'\n"
        f"ini = {ini!r}\n"
        "if ini:\n"
        "    from alembic.config import Config\n"
        "    from alembic.script import ScriptDirectory\n"
        "    assert len(ScriptDirectory.from_config(Config(ini)).get_heads()) == 1\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    done = subprocess.run(
        [str(python), "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    copied = [p for p in tmp_path.rglob("tests") if ".venv" not in p.parts]
    assert not copied, "tests are kept out by .dockerignore"


def test_the_gateway_image_builds_and_serves_the_web_ui():
    """The node stage is not replayed (npm ci is slow); its inputs and output are checked."""
    stages, final = image("gateway")
    web = stage(stages, "web")
    assert web.base.startswith("node:20")
    package = json.loads((ROOT / "frontend" / "package.json").read_text())
    assert "build" in package["scripts"] and (ROOT / "frontend" / "package-lock.json").exists()
    assert web.all("COPY")[0] == "frontend/package.json frontend/package-lock.json ./"
    assert web.all("RUN")[0].endswith("npm ci --no-audit --no-fund")
    assert web.all("RUN")[-1] == "npm run build"
    assert "--from=web /web/dist /app/frontend/dist" in final.inherited("COPY")
    assert final.env()["GATEWAY_WEB_DIR"] == "/app/frontend/dist"


def test_only_the_gateway_image_builds_the_web_ui(name):
    stages, final = image(name)
    assert ("web" in needs(final, stages)) == (name == "gateway")
