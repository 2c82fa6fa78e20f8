"""Prometheus counters of SLA events emitted (per process: sum over replicas)."""

from prometheus_client import Counter

LABELS = ["system", "priority", "target"]
WARNINGS = Counter("tickets_sla_warnings_total", "SLA warnings emitted (80 % elapsed)", LABELS)
BREACHES = Counter("tickets_sla_breaches_total", "SLA breaches emitted", LABELS)
