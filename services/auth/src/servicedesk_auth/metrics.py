"""The auth service's own Prometheus metrics (request metrics come from the shared library)."""

from prometheus_client import Counter

LOGIN_FAILURES = Counter("auth_login_failures_total", "Failed logins by reason", ["reason"])
