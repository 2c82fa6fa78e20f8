"""Event metrics, shared by every producer and consumer (labels stay low-cardinality)."""

from prometheus_client import Counter, Gauge, Histogram

PUBLISHED = Counter(
    "events_published_total", "Events confirmed by the broker", ["producer", "type"]
)
PUBLISH_FAILURES = Counter(
    "events_publish_failures_total", "Relay batches that failed", ["producer"]
)
CONSUMED = Counter(
    "events_consumed_total", "Deliveries handled by a consumer", ["consumer", "type", "outcome"]
)
DEAD_LETTERED = Counter(
    "events_dead_lettered_total", "Deliveries sent to the dead-letter queue", ["consumer", "reason"]
)
GROUP_SIZE = Histogram(
    "events_consumer_group_size",
    "Deliveries committed together in one transaction",
    ["consumer"],
    buckets=(1, 2, 4, 8, 16, 32),
)
CONSUMER_CONNECTED = Gauge(
    "events_consumer_connected", "1 while the consumer is connected to RabbitMQ", ["consumer"]
)
OUTBOX_LAG = Gauge("outbox_lag_seconds", "Age of the oldest unpublished outbox row", ["producer"])
OUTBOX_PENDING = Gauge("outbox_pending", "Unpublished outbox rows", ["producer"])
