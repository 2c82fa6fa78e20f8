"""`Assistant.suggest`: mask, prompt, cache, breaker, model, validate — in that order.

text ─► mask PII ─► messages ─► cache hit? ─yes─► Suggestion
                                    │ no
                                    ▼
               breaker open? ─yes─► BreakerOpen (503, no call made)
                                    │ no
                                    ▼
             Ollama /api/chat ─down/slow─► ModelUnavailable (503), breaker counts it
                                    │
                                    ▼
                  parse_answer ─invalid─► ModelAnswerInvalid (502), not cached
                                    │
                                    ▼
                            cache, Suggestion
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

import redis.asyncio as aioredis

from servicedesk_ai_assist import metrics
from servicedesk_ai_assist.errors import BreakerOpen, ModelAnswerInvalid, ModelUnavailable
from servicedesk_ai_assist.ollama.breaker import CircuitBreaker
from servicedesk_ai_assist.ollama.client import ModelDown, ModelGarbled, ModelTimeout, OllamaClient
from servicedesk_ai_assist.suggest.pii import mask_pii
from servicedesk_ai_assist.suggest.prompt import answer_schema, build_messages, prompt_hash
from servicedesk_ai_assist.suggest.schemas import InvalidAnswer, Suggestion, parse_answer
from servicedesk_shared.redis import Keys

log = logging.getLogger(__name__)


class SuggestionCache:
    """Redis, keyed by model + prompt hash; a Redis failure is a miss, never an error."""

    def __init__(self, redis: aioredis.Redis, keys: Keys, ttl: int) -> None:
        self.redis, self.keys, self.ttl = redis, keys, ttl

    def key(self, digest: str) -> str:
        return self.keys.raw(f"ai:suggest:{digest}")

    async def get(self, digest: str) -> Suggestion | None:
        if self.ttl <= 0:
            return None
        try:
            raw = await self.redis.get(self.key(digest))
        except aioredis.RedisError as exc:
            log.warning("suggestion cache unavailable: %s", exc)
            return None
        metrics.CACHE.labels("hit" if raw else "miss").inc()
        return Suggestion.model_validate_json(raw) if raw else None

    async def put(self, digest: str, suggestion: Suggestion) -> None:
        if self.ttl <= 0:
            return
        try:
            await self.redis.set(self.key(digest), suggestion.model_dump_json(), ex=self.ttl)
        except aioredis.RedisError as exc:
            log.warning("suggestion cache unavailable: %s", exc)


@dataclass(eq=False, repr=False)
class Assistant:
    client: OllamaClient
    breaker: CircuitBreaker
    cache: SuggestionCache
    _: KW_ONLY
    categories: list[str]
    mask: bool = True
    schema: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.schema = answer_schema(self.categories)

    @property
    def model(self) -> str:
        return self.client.model

    async def suggest(self, text: str, *, operation: str = "suggest") -> Suggestion:
        messages = build_messages(mask_pii(text) if self.mask else text, self.categories)
        digest = prompt_hash(self.model, messages)
        cached = await self.cache.get(digest)
        if cached is not None:
            return cached
        suggestion = await self._ask(messages, operation)
        await self.cache.put(digest, suggestion)
        return suggestion

    async def _ask(self, messages: list[dict[str, str]], operation: str) -> Suggestion:
        if not self.breaker.allow():
            metrics.MODEL_LATENCY.labels(operation, "unavailable").observe(0)
            raise BreakerOpen()
        started, outcome = time.perf_counter(), "error"
        try:
            reply = await self.client.chat(messages, self.schema)
            self.breaker.record_success()
            suggestion = parse_answer(reply, categories=self.categories, model=self.model)
            outcome = "ok"
            return suggestion
        except (ModelDown, ModelGarbled) as exc:
            self.breaker.record_failure()
            outcome = "timeout" if isinstance(exc, ModelTimeout) else "unavailable"
            log.warning("model %s unavailable: %s", self.model, exc)
            raise ModelUnavailable() from None
        except InvalidAnswer as exc:
            outcome = "invalid"
            log.warning("model %s answered outside the schema: %s", self.model, exc)
            raise ModelAnswerInvalid() from None
        except asyncio.CancelledError:
            self.breaker.release()
            raise
        finally:
            metrics.MODEL_LATENCY.labels(operation, outcome).observe(time.perf_counter() - started)

    async def model_status(self) -> dict[str, object]:
        """What `/api/ai/status` shows: is the model pulled and answering, the breaker."""
        try:
            names = await self.client.available_models()
            available, detail = self.model in names, None
            if not available:
                detail = f"model {self.model!r} is not pulled (ollama pull {self.model})"
        except ModelDown as exc:
            available, detail = False, str(exc)
        return {
            "model": self.model,
            "available": available,
            "breaker": self.breaker.state,
            "detail": detail,
        }
