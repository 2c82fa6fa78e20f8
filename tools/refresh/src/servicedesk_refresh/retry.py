"""One HTTP request, retried with exponential backoff on what may pass: a transport error
(refused, reset, timed out) or 429/500/502/503/504. Any other non-2xx answer is final."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

RETRYABLE = frozenset({429, 500, 502, 503, 504})


class RequestFailed(Exception):
    """The request did not succeed; `status` is the last answer's (None: no answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


async def request(
    http: httpx.AsyncClient, method: str, url: str, *, retries: int, backoff: float, **kwargs: Any
) -> httpx.Response:
    """The first 2xx response; `retries` more attempts after the first, `backoff` seconds
    before the first retry, doubling after each."""
    for attempt in range(retries + 1):
        try:
            resp = await http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            error, status = f"{type(exc).__name__}: {exc}", None
        else:
            if resp.is_success:
                return resp
            error, status = f"HTTP {resp.status_code}: {detail(resp)}", resp.status_code
            if status not in RETRYABLE:
                raise RequestFailed(error, status)
        if attempt < retries:
            await asyncio.sleep(backoff * 2**attempt)
    raise RequestFailed(f"gave up after {retries + 1} attempts: {error}", status)


def detail(resp: httpx.Response) -> str:
    """The error body's `detail` (our services' one error shape), else its text; short."""
    try:
        return str(resp.json().get("detail", ""))[:200]
    except (ValueError, AttributeError):
        return resp.text[:200]
