"""deploy/prometheus with Prometheus' own checker: the configurations, the alert rules, and
the rules' unit tests (alerts.test.yml), by `promtool` from Debian's prometheus package.

Debian builds Prometheus without Kubernetes service discovery, so prometheus-k8s.yml is
checked with its `kubernetes_sd_configs` swapped for a static target: everything else in
it (the relabelling, the rule files) goes through promtool as written.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"


def run(promtool: str, *args: str, cwd: Path = PROMETHEUS) -> str:
    done = subprocess.run([promtool, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_the_compose_configuration_is_valid(promtool):
    out = run(promtool, "check", "config", "prometheus.yml")
    assert "SUCCESS" in out


def test_the_kubernetes_configuration_is_valid_but_for_discovery(promtool, tmp_path):
    config = yaml.safe_load((PROMETHEUS / "prometheus-k8s.yml").read_text())
    for job in config["scrape_configs"]:
        assert job.pop("kubernetes_sd_configs")[0]["role"] == "pod"
        job["static_configs"] = [{"targets": ["pod.invalid:8001"]}]
    (tmp_path / "prometheus-k8s.yml").write_text(yaml.safe_dump(config))
    shutil.copy(PROMETHEUS / "alerts.yml", tmp_path)
    out = run(promtool, "check", "config", "prometheus-k8s.yml", cwd=tmp_path)
    assert "SUCCESS" in out


def test_the_alert_rules_are_valid(promtool):
    out = run(promtool, "check", "rules", "alerts.yml")
    assert "SUCCESS" in out


def test_the_alerts_fire_on_what_they_are_meant_to(promtool):
    """alerts.test.yml: synthetic series in, expected alerts (and silence) out."""
    out = run(promtool, "test", "rules", "alerts.test.yml")
    assert "SUCCESS" in out


def test_every_alert_has_a_unit_test():
    rules = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"]}
    tests = yaml.safe_load((PROMETHEUS / "alerts.test.yml").read_text())
    tested = {a["alertname"] for t in tests["tests"] for a in t["alert_rule_test"]}
    assert alerts == tested
