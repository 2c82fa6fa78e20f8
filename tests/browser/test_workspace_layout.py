"""The web UI holds up on any screen (issue 13, items 2-5 of the UI): every signed-in and
public page at 390x844 and 1280x800, in light and dark, with a ticket whose title is 300
unbroken characters, never scrolls sideways (`scrollWidth > innerWidth` fails) and has no
serious or critical axe-core violation; the theme switch follows the system and is
remembered; unknown addresses show the app's own 404 (never JSON); a failed list load
shows one error with "Try again" and no empty-state message; title, priority and category
are edited inline; a terminal move is confirmed first; the list's keyboard shortcuts.

The API caps titles at 200 characters, so the ticket is filed with the longest unbroken
title it takes and the browser sees 300: its list and detail answers are lengthened on the
way in (`lengthen`). axe-core comes from frontend/node_modules (a devDependency) as an
init script, which the page's CSP does not apply to.

Screenshots: tests/browser/artifacts/<page>-<390|820|1280>-<light|dark>.png (ignored by
git); 820x1180 (a tablet) is checked too.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Page, Route, expect

from ..conftest import ADMIN, ROOT
from .conftest import assert_labelled
from .test_journey import sign_in
from .test_people_sla import STICKING_OUT, Desk

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).parent / "artifacts"
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
# The phone and laptop, and a tablet between them (where the list's cards go two wide).
SIZES = {
    "390": {"width": 390, "height": 844},
    "820": {"width": 820, "height": 1180},
    "1280": {"width": 1280, "height": 800},
}
SCHEMES = ("light", "dark")
STEM = "https://example.com/" + "a" * 60
API_TITLE = (STEM + "b" * 200)[:200]  # the longest title the API takes, no spaces
LONG_TITLE = (STEM + "c" * 300)[:300]  # what the browser is shown instead
LONG_WORD = "x" * 300
DARK_BG = "rgb(17, 21, 26)"
LIGHT_BG = "rgb(245, 247, 250)"
AXE_RUN = """
async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} -- `
      + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | "));
}
"""


async def lengthen(context: BrowserContext, ticket_id: int) -> None:
    """The browser sees the ticket's title as 300 unbroken characters (list and detail)."""

    async def swap(route: Route) -> None:
        response = await route.fetch()
        if "json" not in response.headers.get("content-type", ""):
            await route.fulfill(response=response)  # not JSON: pass it on unchanged
            return
        body = await response.json()
        items = body.get("items", []) if isinstance(body, dict) else []
        for ticket in [body, *items]:
            if isinstance(ticket, dict) and ticket.get("id") == ticket_id and "title" in ticket:
                ticket["title"] = LONG_TITLE
        await route.fulfill(response=response, json=body)

    await context.route(re.compile(r"/api/tickets(\?[^/]*)?$"), swap)
    await context.route(re.compile(rf"/api/tickets/{ticket_id}$"), swap)


async def settled(page: Page) -> None:
    """The page's heading is there and nothing is still loading."""
    await expect(page.locator("h1").first).to_be_visible()
    await expect(page.locator(".skeleton")).to_have_count(0)


async def sideways(page: Page) -> str | None:
    """Why the page scrolls sideways, or None when it does not."""
    extra = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if extra <= 0:
        return None
    return f"scrolls sideways by {extra}px: {await page.evaluate(STICKING_OUT)}"


async def check_page(page: Page, name: str, problems: list[str]) -> None:
    """Both sizes, both schemes: no sideways scroll, no serious axe finding, a screenshot."""
    ARTIFACTS.mkdir(exist_ok=True)
    for scheme in SCHEMES:
        await page.emulate_media(color_scheme=scheme)
        for label, size in SIZES.items():
            await page.set_viewport_size(size)
            await page.evaluate("new Promise((r) => requestAnimationFrame(() => r()))")
            where = f"{name} at {label} ({scheme})"
            if (why := await sideways(page)) is not None:
                problems.append(f"{where} {why}")
            for violation in await page.evaluate(AXE_RUN):
                problems.append(f"{where} axe: {violation}")
            path = ARTIFACTS / f"{name}-{label}-{scheme}.png"
            await page.screenshot(path=str(path), full_page=True)
    await page.emulate_media(color_scheme="light")
    await page.set_viewport_size(SIZES["1280"])


async def file_tickets(desk: Desk, auth: dict[str, str]) -> list[int]:
    ids = []
    bodies = [
        {
            "title": API_TITLE,
            "description": LONG_WORD,
            "priority": "urgent",
            "system": "TTS",
            "category": "y" * 100,
        },
        {"title": "Printer jams on every page", "description": "Leeds office.", "system": "TTS"},
        {"title": "VPN drops every hour", "description": "Since Monday.", "system": "TTS"},
    ]
    for body in bodies:
        resp = await desk.http.post("/api/tickets", json=body, headers=auth)
        assert resp.status_code == 201, resp.text
        ids.append(resp.json()["id"])
    return ids


@pytest.fixture(scope="module")
async def tickets(desk) -> list[int]:
    """Three tickets filed by a requester; the first has the longest unbroken title."""
    _, _, auth = await desk.person("lay", f"Layla Long-Name-{'n' * 40} {secrets.token_hex(2)}")
    return await file_tickets(desk, auth)


async def admin_page(people, tickets: list[int], *, axe: bool = True) -> Page:
    admin = await people("admin")
    if axe:
        await admin.context.add_init_script(path=str(AXE))
    await lengthen(admin.context, tickets[0])
    await sign_in(admin.page, ADMIN["username"], ADMIN["password"])
    return admin.page


@pytest.mark.timeout(600)
async def test_no_page_scrolls_sideways_and_axe_finds_nothing_serious(people, tickets):
    page = await admin_page(people, tickets)
    problems: list[str] = []
    signed_in = {
        "tickets": "/tickets",
        "new-ticket": "/tickets/new",
        "ticket": f"/tickets/{tickets[0]}",
        "notifications": "/notifications",
        "account": "/account",
        "admin-users": "/admin/users",
        "admin-workflows": "/admin/workflows",
        "admin-audit": "/admin/audit",
        "admin-ops": "/admin/ops",
        "admin-sla": "/admin/sla",
        "not-found": "/no/such/page",
    }
    for name, path in signed_in.items():
        await page.goto(path)
        await settled(page)
        if name in ("tickets", "ticket"):
            await expect(page.get_by_text(LONG_TITLE).first).to_be_visible()
        await assert_labelled(page)
        await check_page(page, name, problems)

    visitor = await people("visitor")
    await visitor.context.add_init_script(path=str(AXE))
    for name, path in {"sign-in": "/login", "register": "/register", "public-404": "/foo"}.items():
        await visitor.page.goto(path)
        await settled(visitor.page)
        await assert_labelled(visitor.page)
        await check_page(visitor.page, name, problems)
    assert not problems, "\n".join(problems)


async def background(page: Page) -> str:
    return await page.evaluate("getComputedStyle(document.body).backgroundColor")


async def test_dark_mode_follows_the_system_and_the_switch_is_remembered(people):
    visitor = await people("theme")
    page = visitor.page
    await page.emulate_media(color_scheme="dark")
    await page.goto("/login")
    switch = page.get_by_label("Theme")
    await expect(switch).to_have_value("system")
    assert await background(page) == DARK_BG
    await switch.select_option(label="Light theme")
    assert await background(page) == LIGHT_BG  # pinned light on a dark system
    await page.reload()
    await expect(page.get_by_label("Theme")).to_have_value("light")
    assert await background(page) == LIGHT_BG
    await page.emulate_media(color_scheme="light")
    await page.get_by_label("Theme").select_option(label="Dark theme")
    assert await background(page) == DARK_BG  # pinned dark on a light system
    await page.get_by_label("Theme").select_option(label="System theme")
    assert await background(page) == LIGHT_BG
    assert await page.evaluate("localStorage.getItem('servicedesk.theme')") is None


@pytest.mark.parametrize("path", ["/foo", "/tickets/abc", "/admin/nothing", "/api-docs"])
async def test_a_mistyped_address_shows_the_apps_own_404_never_json(people, stack, path):
    visitor = await people("lost")
    response = await visitor.page.goto(path)
    assert response is not None and response.status in (200, 404)
    await expect(visitor.page.get_by_role("heading", name="Page not found")).to_be_visible()
    text = await visitor.page.locator("body").inner_text()
    assert '"code"' not in text and "not_found" not in text, text


async def snap(page: Page, name: str) -> None:
    """The page as it is now (a dialog open, an error): every size, light; no sideways
    scroll, no serious axe finding; screenshots in tests/browser/artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    for label, size in SIZES.items():
        await page.set_viewport_size(size)
        assert await sideways(page) is None, f"{name} at {label}: {await sideways(page)}"
        await page.screenshot(path=str(ARTIFACTS / f"{name}-{label}-light.png"), full_page=True)
    assert not await page.evaluate(AXE_RUN), f"{name}: {await page.evaluate(AXE_RUN)}"
    await page.set_viewport_size(SIZES["1280"])


async def test_a_failed_list_load_shows_one_error_with_retry_and_a_skeleton(people, tickets):
    page = await admin_page(people, tickets)
    calls = {"n": 0}
    slow = asyncio.Event()

    async def fail_then_slow(route: Route) -> None:
        if "zzzz" not in route.request.url:  # e.g. the list sign-in landed on, still loading
            await route.fallback()
            return
        calls["n"] += 1
        if calls["n"] == 1:
            body = {"detail": "Internal error.", "code": "internal"}
            await route.fulfill(status=500, json=body)
        else:
            await slow.wait()  # held until the skeleton has been seen
            await route.fallback()

    await page.route(re.compile(r"/api/tickets\?"), fail_then_slow)
    await page.goto("/tickets?q=zzzz-nothing-matches")
    alert = page.get_by_role("alert")
    await expect(alert).to_contain_text("error")
    await expect(page.get_by_text("No tickets match")).to_have_count(0)
    await expect(page.get_by_role("table")).to_have_count(0)
    await snap(page, "state-list-error")
    await alert.get_by_role("button", name="Try again").click()
    skeleton = page.get_by_role("status").filter(has_text="Loading tickets")
    await expect(skeleton).to_be_attached()
    await expect(alert).to_have_count(0)
    await snap(page, "state-list-loading")
    slow.set()
    await expect(page.get_by_text("No tickets match these filters")).to_be_visible()
    await expect(page.get_by_role("alert")).to_have_count(0)


async def test_inline_edit_and_a_confirmed_terminal_move(people, tickets):
    page = await admin_page(people, tickets)
    await page.goto(f"/tickets/{tickets[1]}")
    await expect(page.get_by_role("heading", name="Printer jams on every page")).to_be_visible()
    await page.get_by_role("button", name="Edit title, priority and category").click()
    form = page.get_by_role("form", name="Edit the ticket")
    await expect(form.get_by_label("Title")).to_be_focused()
    await snap(page, "state-inline-edit")
    await form.get_by_label("Title").fill("Printer jams on every second page")
    await form.get_by_label("Priority").select_option(label="High")
    await form.get_by_label("Category").fill("printing")
    await form.get_by_role("button", name="Save changes").click()
    heading = page.get_by_role("heading", name="Printer jams on every second page")
    await expect(heading).to_be_visible()
    await expect(heading).to_be_focused()
    facts = page.locator(".ticket-facts")
    await expect(facts).to_contain_text("High")
    await expect(facts).to_contain_text("printing")
    # Escape leaves the form unchanged and gives focus back to "Edit".
    edit = page.get_by_role("button", name="Edit title, priority and category")
    await edit.click()
    await page.get_by_label("Title").fill("Something else entirely")
    await page.keyboard.press("Escape")
    await expect(edit).to_be_focused()
    await expect(heading).to_be_visible()

    # Moves in workflow order; the terminal one apart, asked about first.
    regular = page.get_by_role("group", name="Change status").get_by_role("button")
    texts = await regular.all_inner_texts()
    assert texts and all("_" not in t for t in texts), texts
    ending = page.get_by_role("group", name="End the ticket").get_by_role("button")
    await expect(ending).to_have_text(["Move to Closed…"])
    await ending.click()
    dialog = page.get_by_role("dialog", name="Move to Closed?")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    await snap(page, "state-confirm-close")
    await dialog.get_by_role("button", name="Cancel").click()
    await expect(dialog).to_have_count(0)
    await expect(page.locator(".ticket-facts")).to_contain_text("Open")
    await ending.click()
    await page.get_by_role("dialog").get_by_role("button", name="Yes, move to Closed").click()
    await expect(page.get_by_role("status").filter(has_text="Moved to Closed.")).to_be_visible()
    await expect(page.locator(".ticket-facts")).to_contain_text("Closed")
    history = page.get_by_role("region", name="History")
    await expect(history).to_contain_text("from Open to Closed")


async def test_list_keyboard_shortcuts(people, tickets):
    page = await admin_page(people, tickets)
    await page.goto("/tickets?system=TTS")
    rows = page.locator("tbody tr")
    await expect(rows.first).to_be_visible()
    await page.locator("h1").click()  # focus on the page, not in a field
    await page.keyboard.press("j")
    await expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    await expect(rows.nth(0).get_by_role("link")).to_be_focused()
    await page.keyboard.press("j")
    await expect(rows.nth(1)).to_have_attribute("aria-current", "true")
    await page.keyboard.press("k")
    await expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    first = await rows.nth(0).locator("td").first.inner_text()
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(rf"/tickets/{first.strip()}$"))
    # Back by the crumb: the same filters, and the ticket just seen is the current row again.
    await page.get_by_role("main").get_by_role("link", name="Tickets", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/tickets\?system=TTS$"))
    await expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    await expect(rows.nth(0).get_by_role("link")).to_be_focused()

    await page.locator("h1").click()
    await page.keyboard.press("/")
    search = page.get_by_label("Search")
    await expect(search).to_be_focused()
    await page.keyboard.type("jk?")  # typed, not shortcuts
    await expect(search).to_have_value("jk?")
    await expect(page.get_by_role("dialog")).to_have_count(0)
    await expect(page.locator("tbody tr[aria-current]")).to_have_count(1)
    await expect(rows.nth(0)).to_have_attribute("aria-current", "true")

    await page.locator("h1").click()
    await page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    await expect(help_dialog).to_be_visible()
    for words in ("Next ticket", "Previous ticket", "Open the current ticket", "Search"):
        await expect(help_dialog).to_contain_text(words)
    await expect(help_dialog.get_by_role("button", name="Close")).to_be_focused()
    await snap(page, "state-shortcut-help")
    await page.keyboard.press("Escape")
    await expect(help_dialog).to_have_count(0)
