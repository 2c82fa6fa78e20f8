"""The service's own Prometheus metrics (request and messaging metrics come from shared).

`notifications_sent_total{channel, outcome}`:
    channel  inbox | email | webhook
    outcome  created | sent | retry | failed | skipped | refused
"""

from prometheus_client import Counter

SENT = Counter(
    "notifications_sent_total",
    "Notifications by channel and outcome",
    ["channel", "outcome"],
)
