"""Tools the deploy checks need that PyPI does not ship: Debian's `prometheus` package
(`promtool`, and the `prometheus` server the end-to-end scrape runs). Installed here, once
per session, only when missing, so a fresh CI machine needs nothing done by hand."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


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
