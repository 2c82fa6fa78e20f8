"""People by name and SLA clocks in the browser (issue 12, contract §12-§13): a requester
and an agent with display names, a ticket with a very long title; the admin breaks the SLA
policy form on purpose (every problem shown beside its field), then sets TTS to 24x7; the
admin assigns the ticket through the assignee picker with the keyboard; the list and the
ticket page show names (never ids) and the SLA badge in words.

Screenshots (tests/browser/screenshots/people-sla-*.png) of the ticket page, the list (with
data and empty) and the SLA admin page (clean and with errors) at 390x844 and 1280x800. The
app has no dark mode, so light only. At 390 px the page must not scroll sideways."""

from __future__ import annotations

import re
import secrets

import httpx
import pytest
from playwright.async_api import Page, expect

from servicedesk_devtools.testing import eventually, unique

from ..conftest import ADMIN, next_ip
from .conftest import assert_labelled, shot
from .test_journey import sign_in

pytestmark = pytest.mark.e2e

VIEWPORTS = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 800}}
LONG_TITLE = (
    "Printer on the third floor of the Leeds office prints every page twice and then "
    "jams, and the replacement toner that arrived yesterday does not fit the tray either"
)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
H24 = {"timezone": "UTC", "working_days": [1, 2, 3, 4, 5, 6, 7], "start": "00:00", "end": "24:00"}


class Desk:
    """Set-up through the API, as a person would do it elsewhere (not under test here)."""

    def __init__(self, gateway: str) -> None:
        self.http = httpx.AsyncClient(
            base_url=gateway, headers={"X-Forwarded-For": next_ip()}, timeout=20
        )

    async def token(self, username: str, password: str) -> dict[str, str]:
        resp = await self.http.post("/api/token", json={"username": username, "password": password})
        assert resp.status_code == 200, resp.text
        return {"Authorization": f"Bearer {resp.json()['access']}"}

    async def person(self, stem: str, display_name: str) -> tuple[dict, str, dict[str, str]]:
        name, password = unique(stem), "Lantern " + secrets.token_urlsafe(10)
        body = {"username": name, "email": f"{name}@example.com", "password": password}
        resp = await self.http.post("/api/auth/register", json=body)
        assert resp.status_code == 201, resp.text
        auth = await self.token(name, password)
        body = {"display_name": display_name}
        resp = await self.http.patch("/api/users/me", json=body, headers=auth)
        assert resp.status_code == 200, resp.text
        return resp.json(), password, auth

    async def until(self, check, what: str, seconds: float = 10) -> None:
        try:
            await eventually(check, timeout=seconds, every=0.2)
        except TimeoutError:
            pytest.fail(f"not within {seconds}s: {what}")


# The elements that stick out to the right of the viewport (to name them in a failure).
STICKING_OUT = """
() => [...document.querySelectorAll("body *")]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
  .map((el) => `${el.tagName.toLowerCase()}.${el.className}`
    + ` (right ${Math.round(el.getBoundingClientRect().right)})`)
  .slice(0, 8)
"""


async def no_sideways_scroll(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if width > 0:
        culprits = await page.evaluate(STICKING_OUT)
        pytest.fail(f"{page.url} scrolls sideways by {width}px: {culprits}")


async def shots(page: Page, name: str) -> None:
    """The page at both sizes (light only: the app has no dark mode)."""
    for label, size in VIEWPORTS.items():
        await page.set_viewport_size(size)
        await page.wait_for_timeout(150)
        if label == "390":
            await no_sideways_scroll(page)
        await shot(page, f"people-sla-{name}-{label}")
    await page.set_viewport_size({"width": 1280, "height": 900})


async def test_names_and_sla_badges_in_the_browser(people, stack):
    desk = Desk(stack.gateway)
    try:
        suffix = secrets.token_hex(2)
        ada, ada_password, ada_auth = await desk.person("ada", f"Ada Lovelace {suffix}")
        grace, _, _ = await desk.person("grace", f"Grace Hopper {suffix}")
        root = await desk.token(ADMIN["username"], ADMIN["password"])
        roles = [{"system": "TTS", "role": "agent"}]
        resp = await desk.http.put(
            f"/api/admin/users/{grace['id']}/roles", json=roles, headers=root
        )
        assert resp.status_code == 200, resp.text
        body = {
            "title": LONG_TITLE,
            "description": "It started on Monday.",
            "priority": "urgent",
            "system": "TTS",
        }
        resp = await desk.http.post("/api/tickets", json=body, headers=ada_auth)
        assert resp.status_code == 201, resp.text
        ticket_id = resp.json()["id"]

        async def grace_is_staff() -> bool:
            found = await desk.http.get(
                "/api/people", params={"system": "TTS", "q": suffix}, headers=root
            )
            return any(p["id"] == grace["id"] for p in found.json().get("items", []))

        await desk.until(grace_is_staff, "the agent in /api/people (user.roles_changed)")

        admin = await people("admin")
        await sign_in(admin.page, ADMIN["username"], ADMIN["password"])
        await admin_edits_the_sla_policy(admin.page)
        await admin_assigns_with_the_picker(admin.page, ticket_id, grace, suffix)
        await the_list_shows_names_and_sla(admin.page, ticket_id, ada, grace)
        await admin.page.goto("/admin/audit")
        log = admin.page.get_by_role("table")
        await expect(log).to_contain_text(ada["display_name"])
        who = await log.locator("tbody tr td:nth-child(3)").all_inner_texts()
        assert who and not any(UUID.search(w) for w in who), who

        requester = await people("requester")
        await sign_in(requester.page, ada["username"], ada_password)
        await requester.page.goto(f"/tickets/{ticket_id}")
        facts = requester.page.locator(".ticket-facts")
        await expect(facts).to_contain_text(ada["display_name"])
        await expect(facts).to_contain_text(grace["display_name"])
        await expect(requester.page.get_by_role("button", name="Assign to me")).to_have_count(0)
        await expect(requester.page.get_by_role("main").get_by_role("combobox")).to_have_count(0)
        await account_sets_the_display_name(requester.page, suffix)
    finally:
        await desk.http.aclose()


async def admin_edits_the_sla_policy(page: Page) -> None:
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="SLA").click()
    await expect(page.get_by_role("heading", name="SLA policies")).to_be_visible()
    await page.get_by_label("System", exact=True).select_option("TTS")
    await expect(page.get_by_role("heading", name="Policy of TTS")).to_be_visible()
    await expect(page.get_by_label("Timezone")).to_have_value(re.compile(".+"))
    await assert_labelled(page)
    await shots(page, "admin")
    await page.get_by_label("Timezone").fill("Mars/Olympus")
    await page.get_by_label("Start of the working day").fill("18:00")
    await page.get_by_label("End of the working day").fill("09:00")
    await page.get_by_label("Holidays").fill("2026-12-25\nsoon")
    high = page.get_by_role("group", name="High priority")
    await high.get_by_label("First response (minutes)").fill("-5")
    await page.get_by_role("button", name="Save policy").click()
    await expect(page.get_by_role("alert").first).to_contain_text("not valid")
    for label, words in [
        ("Timezone", "unknown timezone"),
        ("Start of the working day", "is not before"),
        ("Holidays", "'soon' is not a date"),
    ]:
        field = page.get_by_label(label)
        await expect(field).to_have_attribute("aria-invalid", "true")
        described = await field.get_attribute("aria-describedby")
        error_id = next(i for i in described.split() if i.endswith("-error"))
        await expect(page.locator(f"[id='{error_id}']")).to_contain_text(words)
    await expect(high).to_contain_text("not a positive number of minutes")
    await assert_labelled(page)
    await shots(page, "admin-errors")
    # Now a valid 24x7 calendar, so the clocks run in wall-clock time.
    await page.get_by_label("Timezone").fill(H24["timezone"])
    await page.get_by_label("Start of the working day").fill(H24["start"])
    await page.get_by_label("End of the working day").fill(H24["end"])
    await page.get_by_label("Holidays").fill("2026-12-25")
    await high.get_by_label("First response (minutes)").fill("120")
    for day in ("Saturday", "Sunday"):
        await page.get_by_label(day).check()
    await page.get_by_role("button", name="Save policy").click()
    await expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    # A superuser adds a system (auth); tickets gives it the default policy (system.created).
    code = f"Q{secrets.token_hex(3).upper()}"
    await page.get_by_label("Code").fill(code)
    await page.get_by_label("Name", exact=True).fill("Quality lab")
    await page.get_by_role("button", name="Add system").click()
    await expect(page.get_by_role("status").filter(has_text=f"Added {code}")).to_be_visible()
    heading = page.get_by_role("heading", name=f"Policy of {code}")
    await expect(heading).to_be_visible(timeout=20_000)
    await expect(page.get_by_label("Start of the working day")).to_have_value("09:00")
    await page.get_by_label("System", exact=True).select_option("TTS")
    await expect(page.get_by_label("Start of the working day")).to_have_value("00:00")


async def admin_assigns_with_the_picker(page: Page, ticket_id: int, grace: dict, suffix: str):
    await page.goto(f"/tickets/{ticket_id}")
    await expect(page.get_by_role("heading", name=LONG_TITLE)).to_be_visible()
    sla = page.get_by_role("region", name="Service level")
    await expect(sla).to_contain_text("First response")
    await expect(sla).to_contain_text(re.compile(r"(On track|Due soon), .* left"))
    picker = page.get_by_role("combobox", name="Assignee")
    await picker.fill(f"Grace Hopper {suffix}")
    option = page.get_by_role("option", name=re.compile(f"Grace Hopper {suffix}"))
    await expect(option).to_be_visible()
    await picker.press("ArrowDown")
    await picker.press("ArrowUp")
    await expect(option).to_have_attribute("aria-selected", "true")
    await shots(page, "ticket-picker-open")
    await picker.press("Enter")
    await expect(picker).to_have_value(grace["display_name"])
    await page.get_by_role("button", name="Assign", exact=True).click()
    await expect(page.get_by_role("status").filter(has_text="Assigned to")).to_be_visible()
    await expect(page.locator(".ticket-facts")).to_contain_text(grace["display_name"])
    facts = await page.locator(".ticket-facts").inner_text()
    assert not UUID.search(facts), f"an id on the ticket page: {facts}"
    assignee = page.locator(".ticket-facts .person", has_text=grace["display_name"])
    await expect(assignee).to_have_attribute("title", f"@{grace['username']}")
    history = page.get_by_role("region", name="History")
    await expect(history).to_contain_text("by ")
    assert not UUID.search(await history.inner_text())
    await assert_labelled(page)
    await shots(page, "ticket")


async def the_list_shows_names_and_sla(page: Page, ticket_id: int, ada: dict, grace: dict):
    await page.goto("/tickets?sort=sla_due")
    row = page.get_by_role("row", name=re.compile(re.escape(LONG_TITLE[:40])))
    await expect(row).to_contain_text(grace["display_name"])
    await expect(row).to_contain_text(re.compile(r"(On track|Due soon), .* left"))
    await expect(row.locator(".sla")).to_have_count(1)
    assert not UUID.search(await page.locator("table").inner_text())
    await assert_labelled(page)
    await shots(page, "list")
    await page.get_by_label("SLA").select_option(label="Breaching soon")
    await page.get_by_role("button", name="Apply filters").click()
    await expect(page).to_have_url(re.compile(r"sla=at_risk"))
    await page.get_by_label("SLA").select_option(label="Breached")
    await page.get_by_label("Search").fill("zzzz-no-such-words")
    await page.get_by_role("button", name="Apply filters").click()
    await expect(page.get_by_text("No tickets match these filters")).to_be_visible()
    await shots(page, "list-empty")


async def account_sets_the_display_name(page: Page, suffix: str) -> None:
    await page.goto("/account")
    await page.get_by_label("Display name").fill(f"Ada King {suffix}")
    await page.get_by_role("button", name="Save name").click()
    await expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    await expect(page.get_by_role("navigation", name="Main").locator("..")).to_contain_text(
        f"Ada King {suffix}"
    )
    await assert_labelled(page)
