"""The ai-assist service's errors, all mapped by `servicedesk_shared.errors` to one JSON
shape, `{"detail": "...", "code": "..."}`.

    ServiceError (shared)
    ├── Unauthorized 401
    │   └── ApiKeyInvalid        invalid_api_key    shared (apikeys): X-API-Key missing or wrong
    ├── TooManyRequests 429
    │   └── AiRateLimited        rate_limited       the caller's AI budget is spent
    ├── BadGateway 502
    │   └── ModelAnswerInvalid   model_output_invalid  the model answered, but not JSON that
    │                                                  fits the schema (never trusted)
    └── Unavailable 503
        └── ModelUnavailable     model_unavailable  Ollama down, slow, or the breaker is open
            └── BreakerOpen      model_unavailable  (fast: no call was made)
"""

from __future__ import annotations

from servicedesk_shared.errors import ServiceError, TooManyRequests, Unavailable

__all__ = ["ServiceError"]


class AiRateLimited(TooManyRequests, detail="Too many AI requests; try again later"): ...


class ModelAnswerInvalid(
    ServiceError,
    status=502,
    code="model_output_invalid",
    detail="The model's answer was not a valid suggestion; try again or fill the form yourself",
): ...


class ModelUnavailable(
    Unavailable,
    code="model_unavailable",
    detail="The AI model is unavailable right now; file the ticket without a suggestion",
): ...


class BreakerOpen(ModelUnavailable):
    """Raised without calling the model: it failed repeatedly and is presumed down."""
