"""`kustomize build` in Python, for exactly the features deploy/k8s uses.

The suite cannot count on a kustomize binary (kubectl has one built in; where kubectl is on
the PATH the tests check that both builds agree). Supported, with kustomize's semantics
(https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/):

    resources        files and directories (a directory is another kustomization)
    namespace        set on every namespaced object
    labels           `pairs` on every object's metadata; with `includeTemplates`, on pod
                     templates too (never on selectors)
    images           `name` → `newName` / `newTag` in containers and initContainers
    patches          a `path` to an RFC 6902 JSON patch (add, replace, remove) and a
                     `target` of `kind` and optional `name`

Anything else in a kustomization is an error here, not silently ignored.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

Object = dict[str, Any]
SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume",
                  "StorageClass", "IngressClass", "CustomResourceDefinition"}  # fmt: skip
POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}


class KustomizeError(Exception):
    pass


def build(directory: Path) -> list[Object]:
    """The objects `kustomize build directory` would print."""
    path = directory / "kustomization.yaml"
    spec = yaml.safe_load(path.read_text())
    unknown = set(spec) - SUPPORTED
    if unknown:
        raise KustomizeError(f"{path}: unsupported fields {sorted(unknown)}")
    objects: list[Object] = []
    for entry in spec.get("resources", []):
        target = (directory / entry).resolve()
        if target.is_dir():
            objects.extend(build(target))
        else:
            objects.extend(d for d in yaml.safe_load_all(target.read_text()) if d)
    for patch in spec.get("patches", []):
        _apply_patch(directory, patch, objects)
    for image in spec.get("images", []):
        for obj in objects:
            _set_image(obj, image)
    for label in spec.get("labels", []):
        for obj in objects:
            _add_labels(obj, label)
    if "namespace" in spec:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj["metadata"]["namespace"] = spec["namespace"]
    return objects


def _apply_patch(directory: Path, patch: Object, objects: list[Object]) -> None:
    if set(patch) != {"path", "target"} or set(patch["target"]) - {"kind", "name"}:
        raise KustomizeError(f"unsupported patch form: {patch}")
    operations = yaml.safe_load((directory / patch["path"]).read_text())
    target = patch["target"]
    matched = [
        obj
        for obj in objects
        if obj["kind"] == target["kind"]
        and target.get("name", obj["metadata"]["name"]) == obj["metadata"]["name"]
    ]
    if not matched:
        raise KustomizeError(f"patch {patch['path']} matches nothing")
    for obj in matched:
        for op in operations:
            json_patch(obj, op)


def json_patch(document: Object, op: Object) -> None:
    """One RFC 6902 operation (add, replace, remove), in place."""
    *parents, last = [_unescape(p) for p in op["path"].split("/")[1:]]
    node: Any = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    kind = op["op"]
    if isinstance(node, list):
        index = len(node) if last == "-" else int(last)
        if kind == "add":
            node.insert(index, copy.deepcopy(op["value"]))
        elif kind == "replace":
            node[index] = copy.deepcopy(op["value"])
        elif kind == "remove":
            del node[index]
        else:
            raise KustomizeError(f"unsupported op {kind}")
        return
    if kind in ("replace", "remove") and last not in node:
        raise KustomizeError(f"{op['path']}: nothing to {kind}")
    if kind in ("add", "replace"):
        node[last] = copy.deepcopy(op["value"])
    elif kind == "remove":
        del node[last]
    else:
        raise KustomizeError(f"unsupported op {kind}")


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def pod_spec(obj: Object) -> Object | None:
    if obj["kind"] in POD_TEMPLATE_KINDS:
        return obj["spec"]["template"]["spec"]
    return None


def _set_image(obj: Object, image: Object) -> None:
    spec = pod_spec(obj)
    if spec is None:
        return
    for container in [*spec.get("initContainers", []), *spec.get("containers", [])]:
        name, _, tag = container["image"].partition(":")
        if name != image["name"]:
            continue
        name = image.get("newName", name)
        tag = image.get("newTag", tag)
        container["image"] = f"{name}:{tag}" if tag else name


def _add_labels(obj: Object, label: Object) -> None:
    if set(label) - {"pairs", "includeTemplates"}:
        raise KustomizeError(f"unsupported labels entry: {label}")
    obj["metadata"].setdefault("labels", {}).update(label["pairs"])
    if label.get("includeTemplates") and obj["kind"] in POD_TEMPLATE_KINDS:
        template = obj["spec"]["template"].setdefault("metadata", {})
        template.setdefault("labels", {}).update(label["pairs"])
