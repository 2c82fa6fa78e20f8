"""The ai-assist service's own Prometheus metrics (request and event metrics come from shared).

ai_model_request_duration_seconds{operation, outcome}   one model call, end to end
    operation  suggest | triage
    outcome    ok | invalid | timeout | unavailable | error
ai_breaker_state              0 closed, 1 half-open, 2 open
ai_breaker_rejections_total   calls refused at once because the breaker was open
ai_cache_requests_total{result}   hit | miss
ai_rate_limited_total         suggest calls refused with 429
"""

from prometheus_client import Counter, Gauge, Histogram

MODEL_LATENCY = Histogram(
    "ai_model_request_duration_seconds",
    "Model calls by operation and outcome",
    ["operation", "outcome"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60),
)
BREAKER_STATE = Gauge("ai_breaker_state", "Circuit breaker: 0 closed, 1 half-open, 2 open")
BREAKER_REJECTIONS = Counter(
    "ai_breaker_rejections_total", "Model calls refused at once while the breaker was open"
)
CACHE = Counter("ai_cache_requests_total", "Suggestion cache lookups", ["result"])
RATE_LIMITED = Counter("ai_rate_limited_total", "Suggest calls refused with 429")
