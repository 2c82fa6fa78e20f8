"""A service's security headers are merged with the gateway's, never weakened by them."""

from __future__ import annotations

import pytest

from servicedesk_gateway.headers import security_headers
from servicedesk_gateway.merge import response_headers

OURS = security_headers(tls=False)


def merged(*upstream: tuple[bytes, bytes]) -> dict[bytes, list[bytes]]:
    result: dict[bytes, list[bytes]] = {}
    for name, value in response_headers(list(upstream), OURS):
        result.setdefault(name.lower(), []).append(value)
    return result


async def test_an_attachment_keeps_the_services_sandbox_and_private_no_store(gw):
    response = await gw.get("/api/tickets/strict")
    assert response.status_code == 200
    assert response.headers.get_list("content-security-policy") == [
        "default-src 'none'; sandbox; frame-ancestors 'none'"
    ]
    assert response.headers.get_list("cache-control") == ["private, no-store"]
    assert response.headers.get_list("content-disposition") == ['attachment; filename="x.png"']
    assert response.headers.get_list("x-frame-options") == ["DENY"]
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]
    assert response.headers.get_list("cross-origin-resource-policy") == ["same-origin"]
    policy = response.headers["permissions-policy"]
    assert "camera=()" in policy and "fullscreen=()" in policy and "camera=(self)" not in policy
    assert response.headers.get_list("vary") == ["Origin, Accept-Encoding"]


async def test_a_lax_service_csp_cannot_open_what_the_gateway_closes(gw):
    response = await gw.get("/api/tickets/lax")
    assert response.headers.get_list("content-security-policy") == [
        "sandbox; frame-ancestors 'none'; img-src *; default-src 'none'"
    ]


async def test_without_service_headers_the_gateways_apply_unchanged(gw):
    response = await gw.get("/api/tickets/stream")
    assert response.headers.get_list("content-security-policy") == [
        "default-src 'none'; frame-ancestors 'none'"
    ]
    assert response.headers.get_list("cache-control") == ["no-store"]


@pytest.mark.parametrize(
    ("name", "theirs", "expected"),
    [
        (b"x-frame-options", b"SAMEORIGIN", b"DENY"),
        (b"x-frame-options", b"ALLOW-FROM https://evil", b"DENY"),
        (b"cross-origin-resource-policy", b"cross-origin", b"same-origin"),
        (b"cross-origin-opener-policy", b"unsafe-none", b"same-origin"),
        (b"referrer-policy", b"unsafe-url", b"no-referrer"),
        (b"cache-control", b"public, max-age=3600", b"no-store"),
        (b"cache-control", b"no-store, private", b"no-store, private"),
        (b"x-content-type-options", b"nothing", b"nosniff"),
    ],
)
def test_each_header_keeps_the_stricter_value(name, theirs, expected):
    assert merged((name, theirs))[name] == [expected]


def test_stricter_service_values_win_over_laxer_gateway_defaults():
    lax = [(b"cross-origin-resource-policy", b"cross-origin"), (b"referrer-policy", b"origin")]
    upstream = [
        (b"cross-origin-resource-policy", b"same-site"),
        (b"referrer-policy", b"strict-origin"),
    ]
    out = dict(response_headers(upstream, lax))
    assert out == {
        b"cross-origin-resource-policy": b"same-site",
        b"referrer-policy": b"strict-origin",
    }


def test_csp_directives_are_combined_and_none_wins():
    csp = merged((b"content-security-policy", b"default-src *; script-src 'self'; sandbox"))
    assert csp[b"content-security-policy"] == [
        b"default-src 'none'; script-src 'self'; sandbox; frame-ancestors 'none'"
    ]


def test_each_of_several_service_policies_is_kept_and_completed():
    csp = merged(
        (b"content-security-policy", b"sandbox"), (b"Content-Security-Policy", b"img-src 'self'")
    )
    assert csp[b"content-security-policy"] == [
        b"sandbox; default-src 'none'; frame-ancestors 'none'",
        b"img-src 'self'; default-src 'none'; frame-ancestors 'none'",
    ]


def test_headers_the_gateway_does_not_set_pass_through():
    out = merged((b"content-disposition", b"attachment"), (b"x-upstream", b"1"))
    assert out[b"content-disposition"] == [b"attachment"] and out[b"x-upstream"] == [b"1"]
