"""The client IP: the peer, unless the peer is a trusted proxy; spoofing changes nothing."""

from __future__ import annotations

import pytest

from servicedesk_gateway.clientip import ClientIpResolver, bucket_key

from .conftest import running, settings_for

LOGIN = {"username": "u", "password": "p"}


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_changes_nothing(gateway):
    async with gateway.client("198.51.100.9") as client:
        statuses = [
            (
                await client.post(
                    "/api/token", json=LOGIN, headers={"X-Forwarded-For": f"1.1.1.{i}"}
                )
            ).status_code
            for i in range(4)
        ]
    assert statuses == [200, 200, 200, 429]


async def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(upstream):
    settings = settings_for(upstream.url, trusted_proxies="127.0.0.0/8, 10.9.0.0/16")
    async with running(settings) as gw, gw.client("127.0.0.1") as proxy:
        for i in range(4):
            headers = {"X-Forwarded-For": f"6.6.6.6, 203.0.113.{i}, 10.9.0.1"}
            response = await proxy.post("/api/token", json=LOGIN, headers=headers)
            assert response.status_code == 200
            sent = dict(response.json()["headers"])
            assert sent["x-forwarded-for"] == f"203.0.113.{i}"


async def test_one_client_behind_a_trusted_proxy_is_still_limited(upstream):
    settings = settings_for(upstream.url, trusted_proxies="127.0.0.1")
    async with running(settings) as gw, gw.client("127.0.0.1") as proxy:
        headers = {"X-Forwarded-For": "203.0.113.50"}
        statuses = [
            (await proxy.post("/api/token", json=LOGIN, headers=headers)).status_code
            for _ in range(4)
        ]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.parametrize(
    ("peer", "header", "expected"),
    [
        ("8.8.8.8", "1.2.3.4", "8.8.8.8"),  # untrusted peer: header ignored
        ("10.0.0.1", None, "10.0.0.1"),
        ("10.0.0.1", "1.2.3.4", "1.2.3.4"),
        ("10.0.0.1", "9.9.9.9, 1.2.3.4", "1.2.3.4"),  # left of the client is the client's
        ("10.0.0.1", "1.2.3.4, 10.0.0.2", "1.2.3.4"),  # skip our own proxies
        ("10.0.0.1", "10.0.0.3, 10.0.0.2", "10.0.0.3"),  # all ours: the left-most
        ("10.0.0.1", "garbage, 10.0.0.2", "10.0.0.2"),  # garbage stops the walk
        ("10.0.0.1", "2001:DB8::0001", "2001:db8::1"),
    ],
)
def test_resolve(peer, header, expected):
    assert ClientIpResolver("10.0.0.0/8").resolve(peer, header) == expected


def test_ipv6_clients_share_their_slash_64():
    assert bucket_key("2001:db8::1") == bucket_key("2001:db8::ffff:1") == "2001:db8::/64"
    assert bucket_key("::ffff:192.0.2.1") == "192.0.2.1"
