"""docker-compose.yml: valid against the Compose Specification's JSON schema (the copy
check-jsonschema ships, from the compose-spec project), and `docker compose config` where a
Docker Compose is installed; then the topology's promises: one database and role per
service, migrations before services, healthy dependencies, secrets only from .env.
"""

from __future__ import annotations

import importlib.resources
import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from servicedesk_devtools import devstack

from .dockerfile import resolve

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DATA = ["postgres", "redis", "rabbitmq"]
APPS = [s.name for s in devstack.SERVICES]
VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name] = value
    return pairs


def compose_schema_validator():
    vendor = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    schema = json.loads((vendor / "compose-spec.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def docker_compose() -> list[str] | None:
    """`docker compose` (the plugin) or `docker-compose`, when one really runs here."""
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]) is None:
            continue
        probe = subprocess.run([*command, "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return command
    return None


def test_the_compose_file_is_valid_against_the_compose_specification(compose, tmp_path):
    errors = [
        f"{'/'.join(map(str, e.path))}: {e.message}"
        for e in compose_schema_validator().iter_errors(compose)
    ]
    assert not errors
    command = docker_compose()
    if command is not None:  # where Compose itself is installed, it must agree
        env_file = tmp_path / ".env"
        env_file.write_text("\n".join(f"{k}=x{k.lower()}" for k in env_example()) + "\n")
        done = subprocess.run(
            [*command, "-f", str(COMPOSE), "--env-file", str(env_file), "config", "--quiet"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr


def test_the_schema_does_catch_a_mistake(compose):
    broken = json.loads(json.dumps(compose))
    broken["services"]["auth"]["depends_on"]["auth-migrate"]["condition"] = "service_done"
    broken["services"]["gateway"]["healthcheck"] = {"test": "curl", "intervall": "5s"}
    assert len(list(compose_schema_validator().iter_errors(broken))) >= 2


def test_every_service_of_the_topology_runs_after_its_migration_and_healthy_data(compose):
    services = compose["services"]
    for service in devstack.SERVICES:
        app = services[service.name]
        # The one Dockerfile, told which member to build.
        assert app["build"] == {
            "context": ".",
            "dockerfile": "Dockerfile",
            "args": {"SERVICE": service.name},
        }
        assert app["restart"] == "unless-stopped"
        if not service.db_var:
            continue
        depends = app["depends_on"]
        for data in DATA:
            assert depends[data] == {"condition": "service_healthy"}, (service.name, data)
        migrate = services[f"{service.name}-migrate"]
        assert depends[f"{service.name}-migrate"] == {"condition": "service_completed_successfully"}
        assert migrate["image"] == app["image"] and migrate["build"] == app["build"]
        assert migrate["command"] == [
            "alembic",
            "-c",
            f"services/{service.name}/alembic.ini",
            "upgrade",
            "head",
        ]
        assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
        # One database and one role per service, the ones make run would create.
        url = app["environment"][service.db_var]
        assert url == migrate["environment"][service.db_var]
        assert url.startswith(f"postgresql+asyncpg://{service.db_name}:")
        assert url.endswith(f"@postgres:5432/{service.db_name}")


def test_the_init_script_creates_every_database_the_services_use():
    script = (ROOT / "deploy" / "compose" / "postgres-init.sh").read_text()
    for service in devstack.SERVICES:
        if service.db_name:
            assert f"create {service.db_name} {service.db_name} " in script


def test_what_a_service_waits_for_as_healthy_has_a_healthcheck(compose):
    services = compose["services"]
    for name, service in services.items():
        for target, rule in service.get("depends_on", {}).items():
            if rule["condition"] != "service_healthy":
                continue
            own = services[target].get("healthcheck")
            if own is None:
                build = services[target]["build"]
                image = resolve(ROOT / build["dockerfile"], **build.get("args", {}))[-1]
                assert image.inherited("HEALTHCHECK"), (name, target)
            else:
                assert own["test"][0] in ("CMD", "CMD-SHELL")


def test_only_the_gateway_is_published_and_the_backend_has_no_way_out(compose):
    services = compose["services"]
    published = {n for n, s in services.items() if s.get("ports")}
    assert published == {"gateway", "prometheus", "grafana", "web"}
    for name in ("prometheus", "grafana"):
        assert services[name]["profiles"] == ["observability"]
        assert all(p.startswith("127.0.0.1:") for p in services[name]["ports"])
    # The separate web UI is opt-in: the gateway serves the same build at `/`.
    assert services["web"]["profiles"] == ["web"]
    assert (ROOT / services["web"]["build"]["context"] / "Dockerfile").exists()
    assert services["gateway"]["ports"] == ["${GATEWAY_PUBLISH:-8000}:8000"]
    assert compose["networks"]["backend"] == {"internal": True}
    for name in APPS:
        assert "backend" in services[name]["networks"]
    assert "edge" in services["gateway"]["networks"]
    outside = {n for n, s in services.items() if {"edge", "egress"} & set(s.get("networks", []))}
    assert outside == {"gateway", "notifications", "ollama", "prometheus", "grafana", "web"}


def test_the_gateway_reaches_every_service_by_name(compose):
    env = compose["services"]["gateway"]["environment"]
    upstreams = env["GATEWAY_UPSTREAMS"].split(",")
    assert sorted(upstreams) == sorted(n for n in APPS if n != "gateway")
    for service in devstack.SERVICES:
        if service.name != "gateway":
            variable = service.port_var.replace("_PORT", "_URL")
            assert env[variable] == f"http://{service.name}:{service.port}"
        assert compose["services"]["gateway"]["depends_on"].get(service.name, {}).get(
            "condition", "service_healthy"
        ) == ("service_healthy")


def test_ollama_and_its_one_shot_model_pull(compose):
    services = compose["services"]
    pull = services["ollama-pull"]
    assert pull["restart"] == "no"
    assert pull["depends_on"] == {"ollama": {"condition": "service_healthy"}}
    assert pull["entrypoint"][:2] == ["ollama", "pull"]
    assert services["ai-assist"]["environment"]["OLLAMA_URL"] == "http://ollama:11434"
    assert "ollama-pull" not in services["ai-assist"]["depends_on"], "AI never blocks start"


def test_data_and_attachments_live_in_named_volumes(compose):
    services = compose["services"]
    declared = set(compose["volumes"])
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), source
            else:
                assert source in declared, source
    tickets = services["tickets"]
    directory = tickets["environment"]["TICKETS_ATTACHMENTS_DIR"]
    assert f"attachments:{directory}" in tickets["volumes"]
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def test_secrets_come_from_env_and_the_example_commits_none(compose):
    text = COMPOSE.read_text()
    used = set(VARIABLE.findall(text))
    example = env_example()
    assert used <= example.keys(), used - example.keys()
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", text))
    assert {"JWT_SECRET_KEYS", "POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "REDIS_PASSWORD"} <= (
        required
    )
    for name, value in example.items():
        if any(word in name for word in ("PASSWORD", "SECRET", "KEYS")):
            assert value == "", f"{name} has a value in .env.example"
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    # No literal credentials in the compose file itself.
    for line in text.splitlines():
        if re.search(r"(PASSWORD|SECRET|_KEYS):", line):
            assert "${" in line, line


def test_app_containers_are_locked_down(compose):
    for name in APPS:
        service = compose["services"][name]
        assert service["read_only"] is True
        assert service["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in service["security_opt"]


def test_make_runs_override_publishes_only_on_loopback_at_the_default_ports(compose):
    """deploy/compose/dev-deps.yml, used by make run (servicedesk_devtools.devdeps)."""
    override = yaml.safe_load((ROOT / "deploy" / "compose" / "dev-deps.yml").read_text())
    assert not list(compose_schema_validator().iter_errors(override))
    services = override["services"]
    assert set(services) == set(DATA) and set(services) <= set(compose["services"])
    ports = {name: service["ports"] for name, service in services.items()}
    assert ports == {
        "postgres": ["127.0.0.1:5432:5432"],
        "redis": ["127.0.0.1:6379:6379"],
        "rabbitmq": ["127.0.0.1:5672:5672"],
    }
    for service in services.values():
        for volume in service.get("volumes", []):
            # Relative to the first compose file's folder, the repository root.
            assert (ROOT / volume.split(":")[0]).exists(), volume
