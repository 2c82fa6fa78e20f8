"""Request/response bodies, and the validation of the model's answer (never trusted)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from servicedesk_ai_assist.ollama.client import json_object
from servicedesk_shared.types import Strict, text

Priority = Literal["low", "medium", "high", "urgent"]
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_TITLE, MAX_SUMMARY = 200, 1000


Description = text(1, 20_000, strip=True)
Title = text(max_length=200, strip=True)


class SuggestRequest(Strict):
    description: Description
    title: Title | None = None


class Suggestion(BaseModel):
    title: str
    category: str
    priority: Priority
    summary: str
    confidence: float | None = Field(None, ge=0, le=1)
    model: str


class InvalidAnswer(Exception):
    """The model's text is not a suggestion we accept; the message says why."""


def parse_answer(text: str, *, categories: list[str], model: str) -> Suggestion:
    """Validate the model's answer: JSON object, enums enforced, text cleaned and capped."""
    data = json_object(text, InvalidAnswer, "the answer is ")
    title = _clean(data.get("title"), MAX_TITLE)
    if len(title) < 5:
        raise InvalidAnswer("title missing or shorter than 5 characters")
    category = _choice(data.get("category"), categories, "category")
    priority = _choice(data.get("priority"), ["low", "medium", "high", "urgent"], "priority")
    return Suggestion(
        title=title,
        category=category,
        priority=priority,  # type: ignore[arg-type]
        summary=_clean(data.get("summary"), MAX_SUMMARY),
        confidence=_confidence(data.get("confidence")),
        model=model,
    )


def _clean(value: object, limit: int) -> str:
    if not isinstance(value, str):
        return ""
    text = " ".join(CONTROL.sub(" ", value).split())
    return text[:limit].rstrip()


def _choice(value: object, allowed: list[str], field: str) -> str:
    if isinstance(value, str) and value.strip().lower() in allowed:
        return value.strip().lower()
    raise InvalidAnswer(f"{field} {str(value)[:40]!r} is not one of {', '.join(allowed)}")


def _confidence(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise InvalidAnswer("confidence is not a number between 0 and 1")
    return float(value)
