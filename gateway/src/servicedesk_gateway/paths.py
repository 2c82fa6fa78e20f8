"""Path normalisation, so that no spelling of a path escapes its route or its rate limit.

`/api/token/`, `/API/token`, `//api/token` and `/api/token` are one resource: slashes are
collapsed, the trailing one dropped, and the lower-cased form is what routes and rate-limit
keys are matched on. Dot segments and encoded separators are refused outright rather than
resolved: the upstream framework would resolve them differently from us, and that
difference is exactly what path-confusion attacks live on
(https://portswigger.net/research/exploiting-url-parsing-confusion).
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import quote

from servicedesk_shared.errors import BadRequest

_SLASHES = re.compile(r"/{2,}")
# Encoded slash, backslash or dot: nothing legitimate needs them in a path.
_ENCODED_SEPARATOR = re.compile(rb"%(2f|5c|2e)", re.IGNORECASE)
_SAFE = "/:@!$&'()*+,;=-._~"


class Path(NamedTuple):
    canonical: str  # slashes collapsed, no trailing slash, original case
    key: str  # canonical, lower-cased: what routes and rate limits match on


def normalise(path: str, raw_path: bytes | None = None) -> Path:
    """The canonical form of a decoded ASGI path; BadRequest for traversal attempts."""
    if raw_path and _ENCODED_SEPARATOR.search(raw_path.split(b"?", 1)[0]):
        raise BadRequest("Encoded separators are not allowed in paths", code="bad_path")
    if "\\" in path or "\x00" in path or not path.startswith("/"):
        raise BadRequest("Malformed path", code="bad_path")
    canonical = _SLASHES.sub("/", path)
    if len(canonical) > 1 and canonical.endswith("/"):
        canonical = canonical[:-1]
    if "/." in canonical and _has_dot_segment(canonical):
        raise BadRequest("Dot segments are not allowed in paths", code="bad_path")
    return Path(canonical, canonical.lower())


def _has_dot_segment(path: str) -> bool:
    return any(segment in (".", "..") for segment in path.split("/"))


def upstream_path(path: Path, prefix: str) -> str:
    """The percent-encoded path to send upstream: the route's own spelling of the prefix
    (services match case-sensitively) followed by the rest of the path as the client wrote it
    (ids and system names such as `TTS` keep their case)."""
    rest = path.canonical[len(prefix) :]
    return prefix + quote(rest, safe=_SAFE) if rest else prefix
