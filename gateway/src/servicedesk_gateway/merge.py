"""A service's response headers combined with the gateway's, never weaker than either.

The gateway sets its security headers (headers.py) on every response. Where a service
already set one of them, the stricter of the two leaves, so an attachment download keeps
the tickets service's `Content-Security-Policy: default-src 'none'; sandbox` and
`Cache-Control: private, no-store`, and a service saying `X-Frame-Options: SAMEORIGIN`
still leaves with `DENY`:

- `Content-Security-Policy`: each of the service's policies is kept, directive by
  directive; a directive both set is `'none'` if either says so, else the service's; a
  directive only the gateway sets is added (so `frame-ancestors 'none'` and
  `default-src 'none'` are always there). Several policies are all enforced
  (https://www.w3.org/TR/CSP3/#multiple-policies), so they stay separate.
- `X-Frame-Options`, `Cross-Origin-Resource-Policy`, `Cross-Origin-Opener-Policy`,
  `Referrer-Policy`: the stricter value by a fixed ranking; a value not in it loses.
- `Cache-Control`: the service's if it says `no-store`, else ours (`no-store`).
- `Permissions-Policy`: ours, plus the features only the service restricts.
- `Vary`: both lists.
- Anything else the gateway owns (`X-Content-Type-Options`, `X-XSS-Protection`, HSTS,
  `Server`, `Date`, the request id, rate-limit headers): ours only, as before.

The common case, a service that set none of these, costs one pass over its headers.
"""

from __future__ import annotations

from collections.abc import Callable

from servicedesk_gateway.headers import OWNED_RESPONSE, Headers, forwardable

# Strictest first.
_RANKS: dict[bytes, tuple[bytes, ...]] = {
    b"x-frame-options": (b"deny", b"sameorigin"),
    b"cross-origin-resource-policy": (b"same-origin", b"same-site", b"cross-origin"),
    b"cross-origin-opener-policy": (
        b"same-origin",
        b"noopener-allow-popups",
        b"same-origin-allow-popups",
        b"unsafe-none",
    ),
    b"referrer-policy": (
        b"no-referrer",
        b"same-origin",
        b"strict-origin",
        b"strict-origin-when-cross-origin",
        b"origin",
        b"origin-when-cross-origin",
        b"no-referrer-when-downgrade",
        b"unsafe-url",
    ),
}
_CSP = b"content-security-policy"


def response_headers(upstream: Headers, ours: Headers) -> Headers:
    """The service's forwardable headers, then ours, each merged with the service's copy."""
    theirs: dict[bytes, list[bytes]] = {}
    for name, value in upstream:
        lower = name.lower()
        if lower in _MERGERS:
            theirs.setdefault(lower, []).append(value)
    kept = forwardable(upstream, OWNED_RESPONSE)
    if not theirs:
        return kept + ours
    merged: Headers = []
    for name, value in ours:
        values = theirs.get(name)
        merged += [(name, v) for v in _MERGERS[name](value, values)] if values else [(name, value)]
    return kept + merged


def _csp(ours: bytes, theirs: list[bytes]) -> list[bytes]:
    gateway = _directives(ours)
    return [_combine_csp(_directives(policy), gateway) for policy in theirs]


def _directives(policy: bytes) -> dict[bytes, bytes]:
    """`{name: whole directive}` in order; a repeated directive is ignored, as browsers do."""
    found: dict[bytes, bytes] = {}
    for part in policy.split(b";"):
        directive = b" ".join(part.split())
        if directive:
            found.setdefault(directive.split(b" ", 1)[0].lower(), directive)
    return found


def _combine_csp(service: dict[bytes, bytes], gateway: dict[bytes, bytes]) -> bytes:
    combined = dict(service)
    for name, directive in gateway.items():
        mine = combined.get(name)
        if mine is None or directive.lower().endswith(b" 'none'"):
            combined[name] = directive
    return b"; ".join(combined.values())


def _ranked(name: bytes) -> Callable[[bytes, list[bytes]], list[bytes]]:
    order = _RANKS[name]

    def rank(value: bytes) -> int:
        last = value.split(b",")[-1].strip().lower()  # Referrer-Policy: the last one applies
        return order.index(last) if last in order else len(order)

    def stricter(ours: bytes, theirs: list[bytes]) -> list[bytes]:
        return [min([ours, *theirs], key=rank)]  # ties keep ours

    return stricter


def _cache_control(ours: bytes, theirs: list[bytes]) -> list[bytes]:
    service = b", ".join(theirs)
    return [service] if b"no-store" in _tokens(service) else [ours]


def _permissions(ours: bytes, theirs: list[bytes]) -> list[bytes]:
    features = {item.split(b"=")[0].strip().lower() for item in ours.split(b",")}
    extra = [
        item.strip()
        for value in theirs
        for item in value.split(b",")
        if item.strip() and item.split(b"=")[0].strip().lower() not in features
    ]
    return [b", ".join([ours, *extra])]


def _vary(ours: bytes, theirs: list[bytes]) -> list[bytes]:
    names: dict[bytes, bytes] = {}
    for value in [ours, *theirs]:
        for name in value.split(b","):
            if name.strip():
                names.setdefault(name.strip().lower(), name.strip())
    return [b", ".join(names.values())]


def _tokens(value: bytes) -> set[bytes]:
    return {t.strip().split(b"=")[0].lower() for t in value.split(b",")}


_MERGERS: dict[bytes, Callable[[bytes, list[bytes]], list[bytes]]] = {
    _CSP: _csp,
    b"cache-control": _cache_control,
    b"permissions-policy": _permissions,
    b"vary": _vary,
    **{name: _ranked(name) for name in _RANKS},
}
