"""Text types for request schemas: PostgreSQL refuses NUL in text and JSONB, so refuse it
at the edge (422), not in the database (500)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_no_nul)]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=5, max_length=200),
    AfterValidator(_no_nul),
]  # fmt: skip
Body = Annotated[str, Field(min_length=1, max_length=50_000), AfterValidator(_no_nul)]
