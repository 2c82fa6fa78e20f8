"""deploy/k8s: both overlays build with the real kustomize (the `kustomize` fixture:
`kubectl kustomize`, installed when missing), every object is valid against the Kubernetes
schemas, and the manifests keep the promises deploy/README.md makes about them.

Schemas: the kubernetes-validate package's copy of the JSON schemas generated from the
Kubernetes OpenAPI documents, strict variant (unknown fields are errors), for the oldest
release we support and the newest the package knows.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ["dev", "prod"]
SERVICES = {
    "auth": 8001,
    "tickets": 8002,
    "notifications": 8003,
    "ai-assist": 8004,
    "gateway": 8000,
}
DATABASES = ["auth", "tickets", "notifications", "ai-assist"]
OLDEST_SUPPORTED = "1.29.0"
SECRET = "servicedesk-secrets"
NAMESPACES = {"dev": "servicedesk-dev", "prod": "servicedesk"}
TAGS = {"dev": "latest", "prod": "0.1.0"}
POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}


@pytest.fixture(scope="module")
def builds(kustomize) -> dict[str, list[dict]]:
    """Each overlay's objects, as `kubectl apply -k` would send them."""
    return {name: build(kustomize, K8S / "overlays" / name) for name in OVERLAYS}


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request, builds) -> tuple[str, list[dict]]:
    return request.param, builds[request.param]


def build(kustomize: list[str], directory: Path) -> list[dict]:
    done = subprocess.run([*kustomize, str(directory)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    objects = [o for o in yaml.safe_load_all(done.stdout) if o]
    assert objects, f"{directory}: kustomize built nothing"
    return objects


def pod_spec(obj: dict) -> dict | None:
    if obj["kind"] in POD_TEMPLATE_KINDS:
        return obj["spec"]["template"]["spec"]
    return None


def find(objects: list[dict], kind: str, name: str | None = None) -> list[dict]:
    return [o for o in objects if o["kind"] == kind and name in (None, o["metadata"]["name"])]


def one(objects: list[dict], kind: str, name: str) -> dict:
    (found,) = find(objects, kind, name)
    return found


def containers(obj: dict) -> list[dict]:
    spec = pod_spec(obj) or {}
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


def test_the_overlay_sets_its_namespace_labels_and_image_tags(overlay):
    name, objects = overlay
    for obj in objects:
        meta = obj["metadata"]
        assert meta["labels"]["app.kubernetes.io/instance"] == f"servicedesk-{name}"
        if obj["kind"] == "Namespace":
            assert meta["name"] == NAMESPACES[name]
        else:  # the base's objects
            assert meta["namespace"] == NAMESPACES[name], (obj["kind"], meta["name"])
            assert meta["labels"]["app.kubernetes.io/part-of"] == "servicedesk"
    for obj in [*find(objects, "Deployment"), *find(objects, "Job")]:
        for container in containers(obj):
            image, _, tag = container["image"].rpartition(":")
            assert image.removeprefix("servicedesk/") in SERVICES and tag == TAGS[name], image


@pytest.mark.parametrize("version", [OLDEST_SUPPORTED, kubernetes_validate.utils.latest_version()])
def test_every_object_is_valid_against_the_kubernetes_schemas(overlay, version):
    _, objects = overlay
    for obj in objects:
        kubernetes_validate.validate(obj, version, strict=True)


def test_the_strict_schemas_do_reject_a_misspelt_field(overlay):
    _, objects = overlay
    deployment = yaml.safe_load(yaml.safe_dump(one(objects, "Deployment", "auth")))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, OLDEST_SUPPORTED, strict=True)


def test_each_service_has_deployment_service_autoscaler_and_disruption_budget(overlay):
    _, objects = overlay
    for name, port in SERVICES.items():
        deployment = one(objects, "Deployment", name)
        template_labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= template_labels.items()
        service = one(objects, "Service", name)
        assert service["spec"]["selector"] == selector
        assert service["spec"]["ports"][0]["port"] == port
        hpa = one(objects, "HorizontalPodAutoscaler", name)
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        assert "replicas" not in deployment["spec"], "the autoscaler owns the replica count"
        pdb = one(objects, "PodDisruptionBudget", name)
        assert pdb["spec"]["selector"]["matchLabels"] == selector


def test_no_service_selector_picks_migration_pods(overlay):
    _, objects = overlay
    for job in find(objects, "Job"):
        labels = job["spec"]["template"]["metadata"]["labels"]
        for service in find(objects, "Service"):
            assert not service["spec"]["selector"].items() <= labels.items()


def test_containers_have_probes_resources_and_run_unprivileged(overlay):
    _, objects = overlay
    for obj in [*find(objects, "Deployment"), *find(objects, "Job")]:
        spec = pod_spec(obj)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["automountServiceAccountToken"] is False
        # Otherwise Kubernetes injects AUTH_PORT=tcp://... for the Service `auth`.
        assert spec["enableServiceLinks"] is False
        for container in containers(obj):
            resources = container["resources"]
            assert {"cpu", "memory"} <= resources["requests"].keys(), container["name"]
            assert {"cpu", "memory"} <= resources["limits"].keys(), container["name"]
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False
            assert security["readOnlyRootFilesystem"] is True
            assert security["capabilities"]["drop"] == ["ALL"]
    for name in SERVICES:
        (main,) = pod_spec(one(objects, "Deployment", name))["containers"]
        assert main["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert main["livenessProbe"]["httpGet"]["path"] == "/healthz"


def test_secrets_are_referenced_never_inlined(overlay):
    _, objects = overlay
    assert not find(objects, "Secret")
    for obj in objects:
        text = yaml.safe_dump(obj)
        assert "postgresql+asyncpg://" not in text and "amqp://" not in text
    for obj in [*find(objects, "Deployment"), *find(objects, "Job")]:
        for container in containers(obj):
            for env in container.get("env", []):
                assert "value" not in env or not env["name"].endswith(("_URL", "_KEYS")), env
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] == SECRET


def test_the_readme_lists_every_secret_key_the_manifests_use(overlay):
    _, objects = overlay
    readme = (ROOT / "deploy" / "README.md").read_text()
    keys = {
        env["valueFrom"]["secretKeyRef"]["key"]
        for obj in objects
        for container in containers(obj)
        for env in container.get("env", [])
        if "secretKeyRef" in env.get("valueFrom", {})
    }
    assert keys
    assert not {k for k in keys if f"`{k}`" not in readme}


def test_a_migration_job_per_database_runs_alembic_with_the_deployed_image(overlay):
    _, objects = overlay
    for name in DATABASES:
        job = one(objects, "Job", f"{name}-migrate")
        (container,) = pod_spec(job)["containers"]
        assert container["command"][:3] == ["alembic", "-c", f"services/{name}/alembic.ini"]
        assert container["command"][3:] == ["upgrade", "head"]
        (app,) = pod_spec(one(objects, "Deployment", name))["containers"]
        assert container["image"] == app["image"]
        (wait,) = pod_spec(one(objects, "Deployment", name))["initContainers"]
        assert wait["image"] == app["image"] and "alembic" in wait["command"][-1]


def test_only_the_gateway_is_reachable_from_outside_the_namespace(overlay):
    _, objects = overlay
    policies = find(objects, "NetworkPolicy")
    deny = one(objects, "NetworkPolicy", "default-deny-ingress")
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    for policy in policies:
        for rule in policy["spec"].get("ingress", []):
            for peer in rule["from"]:
                if "namespaceSelector" not in peer:
                    continue
                namespace = peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                ports = {p["port"] for p in rule["ports"]}
                if namespace == "monitoring":
                    assert ports == {8001, 8002, 8003, 8004, 9000}, "metrics ports only"
                else:
                    pods = policy["spec"]["podSelector"]["matchLabels"]
                    assert pods["app.kubernetes.io/name"] == "gateway" and ports == {8000}


def test_every_service_has_a_policy_and_internal_callers_are_labelled(overlay):
    _, objects = overlay
    covered = {
        p["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name")
        for p in find(objects, "NetworkPolicy")
    }
    assert set(SERVICES) <= covered
    notifications = one(objects, "NetworkPolicy", "notifications-from-gateway-and-internal-clients")
    peers = notifications["spec"]["ingress"][0]["from"]
    assert {
        "podSelector": {"matchLabels": {"servicedesk.io/internal-client": "notifications"}}
    } in (peers)
    # The Prometheus policy selects by a label every pod really carries.
    for deployment in find(objects, "Deployment"):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert labels["app.kubernetes.io/part-of"] == "servicedesk"


def test_the_ingress_is_tls_only_to_the_gateway_which_sends_hsts(overlay):
    _, objects = overlay
    ingress = one(objects, "Ingress", "servicedesk")
    (tls,) = ingress["spec"]["tls"]
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] in tls["hosts"] and tls["secretName"]
    (path,) = rule["http"]["paths"]
    assert path["backend"]["service"]["name"] == "gateway"
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/force-ssl-redirect"]
    config = one(objects, "ConfigMap", "servicedesk-config")["data"]
    assert config["GATEWAY_BEHIND_TLS"] == "true"  # Strict-Transport-Security on every answer
    assert config["TRUSTED_PROXIES"], "the gateway must believe the ingress controller"


def test_prod_runs_released_images_with_two_replicas_or_more(builds):
    objects = builds["prod"]
    for obj in find(objects, "Deployment") + find(objects, "Job"):
        for container in containers(obj):
            assert not container["image"].endswith(":latest"), container["image"]
    for hpa in find(objects, "HorizontalPodAutoscaler"):
        assert hpa["spec"]["minReplicas"] >= 2
    assert one(objects, "ConfigMap", "servicedesk-config")["data"]["DESK_ENV"] == "production"
    (namespace,) = find(objects, "Namespace")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_dev_runs_one_replica_of_each_service_and_at_most_two(builds):
    objects = builds["dev"]
    for hpa in find(objects, "HorizontalPodAutoscaler"):
        assert hpa["spec"]["minReplicas"] == 1 and hpa["spec"]["maxReplicas"] <= 2
    # The dev attachments volume is ReadWriteOnce: one tickets pod.
    assert one(objects, "HorizontalPodAutoscaler", "tickets")["spec"]["maxReplicas"] == 1
    pvc = one(objects, "PersistentVolumeClaim", "tickets-attachments")
    assert pvc["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert one(objects, "ConfigMap", "servicedesk-config")["data"]["DESK_ENV"] == "development"
