"""Tickets that look like another one, best first."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SimilarTicket(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    status: str
    score: float = Field(description="Share of distinct words in common (0 to 1, Jaccard)")


class SimilarPage(BaseModel):
    items: list[SimilarTicket]
