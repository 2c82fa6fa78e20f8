"""The types of what clients send, shared by every service, so that no input reaches the
database in a shape it refuses (a 500) and every limit is in the OpenAPI (a 422 a generated
client can foresee).

- `Text` (and `text(...)` with limits): a string without NUL (PostgreSQL refuses it in
  `text` and JSONB) or lone surrogates (JSON's `"\\ud800"` decodes to one; asyncpg cannot
  encode it). Refused with 422; the JSON schema says so with a `pattern`.
- `OtpCode`: six ASCII digits. Not `\\d`: Python's `\\d`, `str.isdigit()` and pydantic's
  regex `\\d` also accept Arabic-Indic or superscript digits.
- `Timestamp`: strict RFC 3339 (`2024-05-01T12:00:00Z`); pydantic alone also takes `0.5`,
  `1714560000` or a date without a zone.
- `Offset`, `Limit`, `BigId`: bounded integers (a 39-digit offset overflows BIGINT).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar

from annotated_types import Interval
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic_core import PydanticCustomError, core_schema

# ECMA-262 and Python `re` read these escapes alike; the text stays ASCII in the document.
NO_NUL_PATTERN = r"^[^\u0000\ud800-\udfff]*$"
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
MAX_BIGINT = 2**63 - 1
MAX_OFFSET = 10_000_000
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


class Strict(BaseModel):
    """A request body or set of query parameters that refuses what it does not know: an
    unknown field is a 422 naming it, never silently dropped (a typo in a filter would
    otherwise widen the answer)."""

    model_config = ConfigDict(extra="forbid")


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("cannot be null")
    return value


T = TypeVar("T")
# A field of a PATCH body that may be left out but, once set, never sent as null (a title,
# a priority): `title: Omittable[Title] = None`. A plain `X | None` field is one where
# null means something (`assignee_id: null` unassigns).
Omittable = Annotated[T | None, AfterValidator(_not_null)]


class Patch(Strict):
    """A PATCH body: only the fields sent change (`changes()`); unknown fields are refused;
    `Omittable` fields may be left out, never nulled."""

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


def _clean(value: str) -> str:
    found = _FORBIDDEN.search(value)
    if found is None:
        return value
    what = "NUL characters" if found.group() == "\x00" else "lone surrogates (invalid Unicode)"
    raise PydanticCustomError("string_forbidden_character", f"must not contain {what}")


@dataclass(frozen=True)
class Clean:
    """Refuses NUL and lone surrogates; `pattern` (JSON schema only) describes a rule the
    other constraints enforce in a way JSON Schema cannot name, e.g. after stripping."""

    pattern: str | None = None

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler):
        return core_schema.no_info_after_validator_function(_clean, handler(source))

    def __get_pydantic_json_schema__(self, schema, handler: GetJsonSchemaHandler):
        out = handler(schema)
        target = handler.resolve_ref_schema(out)
        if self.pattern is not None:
            target["pattern"] = self.pattern
        else:
            target.setdefault("pattern", NO_NUL_PATTERN)
        return out


Text = Annotated[str, Clean()]


def text(
    min_length: int | None = None,
    max_length: int | None = None,
    *,
    pattern: str | None = None,
    strip: bool = False,
) -> Any:
    """`Text` with limits: `text(1, 64)`, `text(3, 150, pattern=r"^[a-z]+$")`."""
    constraints = StringConstraints(
        strip_whitespace=strip or None,
        min_length=min_length,
        max_length=max_length,
        pattern=pattern,
    )
    shown = _stripped_pattern(min_length, max_length) if strip and not pattern else None
    return Annotated[str, constraints, Clean(shown)]


def _stripped_pattern(min_length: int | None, max_length: int | None) -> str | None:
    """What `strip` + lengths accept: first to last non-space between the bounds."""
    if not min_length:
        return None
    edge, body = r"[^\s\u0000\ud800-\udfff]", r"[^\u0000\ud800-\udfff]"
    most = "" if max_length is None else max_length - 2
    if min_length == 1:
        return rf"^\s*{edge}(?:{body}{{0,{most}}}{edge})?\s*$"
    return rf"^\s*{edge}{body}{{{min_length - 2},{most}}}{edge}\s*$"


# pydantic checks `pattern` with Rust's regex, where `[0-9]` is ASCII only.
OtpCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise PydanticCustomError(
            "datetime_rfc3339", "must be an RFC 3339 date-time, e.g. 2024-05-01T12:00:00Z"
        )
    return value


Timestamp = Annotated[datetime, BeforeValidator(_rfc3339)]
Offset = Annotated[int, Interval(ge=0, le=MAX_OFFSET)]
Limit = Annotated[int, Interval(ge=1, le=200)]
BigId = Annotated[int, Interval(ge=1, le=MAX_BIGINT)]


def known_sort(keys: tuple[str, ...]) -> BeforeValidator:
    """The validator of a `sort` parameter over `keys` (each also with a `-` before it):
    an unknown key is a 422 that names it and the keys there are, where a bare `Literal`
    error would not echo what was sent."""

    def check(value: object) -> object:
        if isinstance(value, str) and value.removeprefix("-") not in keys:
            raise PydanticCustomError(
                "unknown_sort",
                "unknown sort key '{key}'; one of: {keys} (`-` for descending)",
                {"key": value[:64], "keys": ", ".join(keys)},
            )
        return value

    return BeforeValidator(check)
