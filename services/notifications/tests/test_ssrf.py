"""SSRF: webhook URLs that reach loopback, link-local or private addresses are refused at
registration (422) and again at delivery time, when DNS may answer differently."""

from __future__ import annotations

import pytest

from servicedesk_devtools.testing import eventually
from servicedesk_notifications.webhooks.ssrf import Allowlist, Resolver, UnsafeUrl, check

from .conftest import HOOKS_HOST, ticket, user
from .test_consumer import status_changed
from .test_webhooks import BASE

REFUSED = [
    "http://127.0.0.1/hook",
    "http://127.1.2.3:8080/hook",
    "http://[::1]/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/hook",
    "http://10.0.0.5/hook",
    "http://172.16.4.4/hook",
    "http://192.168.1.1/hook",
    "http://[fd00::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:10.0.0.5]/hook",
    "http://0.0.0.0/hook",
    "http://[::]/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://100.64.0.1/hook",
    "http://2130706433/hook",
    "http://localhost/hook",
    "http://LOCALHOST./hook",
    "http://loopback.test/hook",
    "http://mixed.test/hook",
    "http://nowhere.invalid/hook",
    "file:///etc/passwd",
    "gopher://example.com/",
    "http://user:pass@public.test/hook",
]


@pytest.fixture(autouse=True)
def names(resolver):
    """Test names: one resolving to loopback, one to a public and a private address."""
    resolver.answers.update(
        {
            "loopback.test": ["127.0.0.1"],
            "mixed.test": ["93.184.216.34", "10.1.2.3"],
            "public.test": ["93.184.216.34"],
        }
    )


@pytest.mark.parametrize("url", REFUSED)
async def test_registration_refuses_non_public_targets(client, admin, url):
    body = {"url": url, "event_types": ["ticket.created"]}
    resp = await client.post(BASE, json=body, headers=admin)
    assert resp.status_code == 422, resp.text
    assert resp.json()["code"] in {"unsafe_url", "validation_error"}


async def test_a_public_target_is_accepted(client, admin):
    body = {"url": "https://public.test/hook", "event_types": ["ticket.created"]}
    resp = await client.post(BASE, json=body, headers=admin)
    assert resp.status_code == 201
    await client.delete(f"{BASE}/{resp.json()['id']}", headers=admin)


async def test_delivery_time_refusal_after_dns_rebinding(
    client, admin, resolver, receiver, publish
):
    """Public at registration, loopback at delivery: refused, logged, nothing sent."""
    resolver.answers["rebind.test"] = ["93.184.216.34"]
    url = f"http://rebind.test:{receiver.port}/rebound"
    resp = await client.post(
        BASE, json={"url": url, "event_types": ["ticket.status_changed"]}, headers=admin
    )
    assert resp.status_code == 201
    webhook_id = resp.json()["id"]
    resolver.answers["rebind.test"] = ["127.0.0.1"]
    ev = status_changed(ticket(user()), by=user())
    try:
        await publish(ev)

        async def refused() -> dict | None:
            log = (await client.get(f"{BASE}/{webhook_id}/deliveries", headers=admin)).json()
            found = [d for d in log["items"] if d["event_id"] == ev["id"] and d["log"]]
            return found[0] if found else None

        attempt = (await eventually(refused))["log"][0]
    finally:
        await client.delete(f"{BASE}/{webhook_id}", headers=admin)
    assert attempt["status_code"] is None and "loopback" in attempt["error"]
    assert receiver.about(ev["id"]) == []


class Fixed(Resolver):
    def __init__(self, *addresses: str) -> None:
        self.addresses = list(addresses)

    async def resolve(self, host: str, port: int) -> list[str]:
        return self.addresses


async def test_every_resolved_address_is_checked():
    with pytest.raises(UnsafeUrl, match=r"10\.0\.0\.1"):
        await check("http://a.test/", allowlist=Allowlist(), resolver=Fixed("8.8.8.8", "10.0.0.1"))
    target = await check("http://a.test/", allowlist=Allowlist(), resolver=Fixed("8.8.8.8"))
    assert str(target.ip) == "8.8.8.8" and target.host == "a.test"


async def test_the_allowlist_takes_cidrs_and_host_names():
    allow = Allowlist.parse(["10.20.0.0/16", "Intranet.Example.", "::1"])
    target = await check("http://x.test/", allowlist=allow, resolver=Fixed("10.20.3.4"))
    assert str(target.ip) == "10.20.3.4"
    with pytest.raises(UnsafeUrl):
        await check("http://x.test/", allowlist=allow, resolver=Fixed("10.21.3.4"))
    await check("http://intranet.example/", allowlist=allow, resolver=Fixed("192.168.0.9"))
    await check("http://[::1]:8080/", allowlist=allow, resolver=Resolver())


async def test_the_test_allowlist_admits_only_its_host(resolver):
    allow = Allowlist.parse([HOOKS_HOST])
    await check(f"http://{HOOKS_HOST}:1/x", allowlist=allow, resolver=resolver)
    with pytest.raises(UnsafeUrl):
        await check("http://127.0.0.1:1/x", allowlist=allow, resolver=resolver)
