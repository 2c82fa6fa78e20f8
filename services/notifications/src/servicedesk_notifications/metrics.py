"""The service's own Prometheus metrics (request and messaging metrics come from shared).

`notifications_sent_total{channel, outcome}`:
    channel  inbox | email | webhook
    outcome  created | grouped (a change gathered into an unread entry) | sent | retry |
             failed | skipped | refused
`notifications_sla_events_total{kind, target}`: SLA warnings and breaches handled
    kind     warning | breached;  target  first_response | resolution
"""

from prometheus_client import Counter

SENT = Counter(
    "notifications_sent_total", "Notifications by channel and outcome", ["channel", "outcome"]
)

SLA_NOTICES = Counter(
    "notifications_sla_events_total",
    "SLA warnings and breaches notified, by kind and target",
    ["kind", "target"],
)
