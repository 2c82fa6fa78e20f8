"""The admin pages in the browser (issue 13): the users page finds a user by part of the
e-mail and by name, lists the newest first, and every admin page (users, workflows, audit,
operations, SLA) holds up at 390x844, 820x1180 and 1280x800 in light and dark (no sideways
scroll, no serious or critical axe-core finding); in a German browser the users page
speaks German.

About 60 users are registered, one of them with a display name of 300 unbroken characters:
the API caps display names at 100, so that user is named with the longest it takes and the
browser sees 300 (its `/api/users` answers are lengthened on the way in, as
test_workspace_layout does with a ticket title).

Screenshots: tests/browser/artifacts/adminpage-<page>-<390|820|1280>-<light|dark>.png
(ignored by git).
"""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.async_api import BrowserContext, Page, Route, expect

from servicedesk_devtools.testing import unique

from ..conftest import ADMIN, next_ip
from .conftest import People, Person, assert_labelled
from .test_journey import sign_in
from .test_people_sla import Desk
from .test_workspace_layout import AXE, check_page, settled

pytestmark = pytest.mark.e2e

CROWD = 58  # plus the long-named user and the newest: 60 beside the admin
API_NAME = "W" * 100  # the longest display name the API takes
LONG_NAME = "W" * 300  # what the browser is shown instead
ADMIN_PAGES = {
    "users": "/admin/users",
    "workflows": "/admin/workflows",
    "audit": "/admin/audit",
    "ops": "/admin/ops",
    "sla": "/admin/sla",
}


async def register(desk: Desk, username: str, email: str) -> dict:
    """A new account, from an address of its own (registering is limited per address)."""
    body = {
        "username": username,
        "email": email,
        "password": "Lantern " + secrets.token_urlsafe(10),
    }
    resp = await desk.http.post(
        "/api/auth/register", json=body, headers={"X-Forwarded-For": next_ip()}
    )
    assert resp.status_code == 201, resp.text
    return {**resp.json(), "password": body["password"]}


async def file_tickets(desk: Desk, user: dict, root: dict[str, str]) -> None:
    """Two tickets, one moved on by the admin: entries for the audit log."""
    auth = await desk.token(user["username"], user["password"])
    for title in ("Printer jams on every page", "VPN drops every hour"):
        body = {"title": title, "description": "Since Monday.", "system": "TTS"}
        resp = await desk.http.post("/api/tickets", json=body, headers=auth)
        assert resp.status_code == 201, resp.text
    moved = f"/api/tickets/{resp.json()['id']}/transitions"
    resp = await desk.http.post(moved, json={"to": "in_progress"}, headers=root)
    assert resp.status_code == 200, resp.text


def signed_up(user: dict) -> datetime:
    return datetime.fromisoformat(user["created_at"])


async def rename(desk: Desk, root: dict[str, str], user: dict, display_name: str) -> None:
    resp = await desk.http.patch(
        f"/api/users/{user['id']}", json={"display_name": display_name}, headers=root
    )
    assert resp.status_code == 200, resp.text


@dataclass
class Crowd:
    """~60 users; `grace` is found by name and by e-mail, `long` has the 300-character
    name, `newest` registered last; `root` signs the admin's API calls."""

    grace: dict
    long: dict
    newest: dict
    suffix: str
    root: dict[str, str]


@pytest.fixture(scope="module")
async def crowd(desk) -> Crowd:
    suffix = secrets.token_hex(3)
    root = await desk.token(ADMIN["username"], ADMIN["password"])
    for start in range(0, CROWD, 6):  # a few at a time: hashing passwords is slow on purpose
        batch = [unique(f"crowd{n}") for n in range(start, min(start + 6, CROWD))]
        await asyncio.gather(*(register(desk, name, f"{name}@example.com") for name in batch))
    grace = await register(desk, unique("gh"), f"g.hopper.{suffix}@example.org")
    await rename(desk, root, grace, f"Grace Brewster {suffix}")
    await file_tickets(desk, grace, root)
    long = await register(desk, unique("long"), f"{unique('long')}@example.com")
    await rename(desk, root, long, API_NAME)
    newest = await register(desk, unique("newest"), f"{unique('newest')}@example.com")
    assert signed_up(newest) > signed_up(long)  # registered one after the other: no tie
    return Crowd(grace=grace, long=long, newest=newest, suffix=suffix, root=root)


async def lengthen_name(context: BrowserContext, user_id: str) -> None:
    """The browser sees that user's display name as 300 unbroken characters."""

    async def swap(route: Route) -> None:
        response = await route.fetch()
        if "json" not in response.headers.get("content-type", ""):
            await route.fulfill(response=response)
            return
        body = await response.json()
        for user in body.get("items", []) if isinstance(body, dict) else []:
            if isinstance(user, dict) and user.get("id") == user_id:
                user["display_name"] = LONG_NAME
        await route.fulfill(response=response, json=body)

    await context.route(re.compile(r"/api/users(\?[^/]*)?$"), swap)


async def admin_browser(people: People, crowd: Crowd) -> Page:
    admin = await people("admin")
    await admin.context.add_init_script(path=str(AXE))
    await lengthen_name(admin.context, crowd.long["id"])
    await sign_in(admin.page, ADMIN["username"], ADMIN["password"])
    return admin.page


def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


async def test_the_users_page_finds_people_by_e_mail_and_name_newest_first(people, desk, crowd):
    page = await admin_browser(people, crowd)
    suffix = crowd.suffix
    await page.goto("/admin/users")
    cards = page.get_by_role("list", name="Users").get_by_role("listitem")
    await expect(cards).to_have_count(50)
    await expect(cards.first).to_contain_text(f"@{crowd.newest['username']}")
    await expect(page.get_by_label("Sort by")).to_have_value("-created_at")
    everyone = await desk.http.get("/api/users", params={"limit": 1}, headers=crowd.root)
    total = everyone.json()["total"]
    assert total > CROWD
    await expect(
        page.get_by_role("status").filter(has_text=re.compile(r"^\d+ users$"))
    ).to_have_text(f"{total} users")
    await expect(page.get_by_role("navigation", name="User pages")).to_contain_text("1\u201350 of")
    await expect(page.get_by_role("heading", name=LONG_NAME)).to_be_visible()

    search = page.get_by_role("searchbox", name="Search users")
    await search.fill(f"hopper.{suffix}@exam")  # part of the e-mail, no Enter: it runs on a pause
    await expect(cards).to_have_count(1)
    await expect(cards.first.get_by_role("heading")).to_have_text(f"Grace Brewster {suffix}")
    assert query_of(page)["q"] == [f"hopper.{suffix}@exam"]

    await search.fill(f"brewster {suffix}")  # part of the name, any case
    await search.press("Enter")
    await expect(page.get_by_role("status").filter(has_text="matches")).to_have_text(
        f"1 user matches “brewster {suffix}”"
    )
    await expect(cards.first).to_contain_text(crowd.grace["email"])
    assert query_of(page)["q"] == [f"brewster {suffix}"]

    # The address is the search: reloading it (or a bookmark) shows the same.
    await page.reload()
    await expect(page.get_by_role("searchbox", name="Search users")).to_have_value(
        f"brewster {suffix}"
    )
    await expect(cards).to_have_count(1)

    await search.fill("nobody-by-this-name")
    await expect(page.get_by_text("No users match “nobody-by-this-name”.")).to_be_visible()
    await page.get_by_role("button", name="Clear the search").click()
    await expect(cards).to_have_count(50)
    assert "q" not in query_of(page)

    async with page.expect_response(
        lambda r: "/api/users?" in r.url and "sort=-display_name" in r.url
    ):
        await page.get_by_label("Sort by").select_option(label="Name, Z to A")
    await expect(page).to_have_url(re.compile(r"[?&]sort=-display_name"))
    await expect(page.get_by_role("list", name="Users")).not_to_have_attribute("aria-busy", "true")
    names = await cards.get_by_role("heading").all_inner_texts()
    # W… > newest_… > Grace … > crowd… in any collation (the database's may skip "_").
    order = [
        names.index(LONG_NAME),
        names.index(crowd.newest["username"]),
        names.index(f"Grace Brewster {suffix}"),
        next(i for i, n in enumerate(names) if n.startswith("crowd")),
    ]
    assert order == sorted(order), names[:6]


@pytest.mark.timeout(600)
async def test_every_admin_page_holds_up_on_a_phone_and_a_laptop(people, crowd):
    page = await admin_browser(people, crowd)
    problems: list[str] = []
    for name, path in ADMIN_PAGES.items():
        await page.goto(path)
        await settled(page)
        await assert_labelled(page)
        await check_page(page, f"adminpage-{name}", problems)
    # The users page with a user's editor open, the long-named one.
    await page.goto("/admin/users")
    await page.get_by_role("button", name=f"Edit {crowd.long['username']}").click()
    await expect(
        page.get_by_role("form", name=f"Roles of {crowd.long['username']}")
    ).to_be_visible()
    await assert_labelled(page)
    await check_page(page, "adminpage-users-editing", problems)
    assert not problems, "\n".join(problems)


async def german(people: People) -> Person:
    """A browser whose language is German (a context of its own, watched like the others)."""
    return await people("admin-de", locale="de-DE")


async def test_the_users_page_speaks_german_in_a_german_browser(people, desk, crowd):
    person = await german(people)
    page = person.page
    await person.context.add_init_script(path=str(AXE))
    # Signed in by its refresh token (the sign-in form's words are another page's concern).
    resp = await desk.http.post(
        "/api/token", json={"username": ADMIN["username"], "password": ADMIN["password"]}
    )
    assert resp.status_code == 200, resp.text
    refresh = resp.json()["refresh"]
    key = "servicedesk.refresh"
    await person.context.add_init_script(
        f"if (!localStorage.getItem('{key}')) localStorage.setItem('{key}', {refresh!r});"
    )
    await page.goto("/admin/users")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Benutzer und Rollen")
    assert await page.evaluate("document.documentElement.lang") == "de"
    await expect(page.get_by_label("Sortieren nach")).to_have_value("-created_at")
    await expect(page.get_by_label("Sortieren nach").locator("option:checked")).to_have_text(
        "Neueste zuerst"
    )
    cards = page.get_by_role("list", name="Benutzer").get_by_role("listitem")
    await expect(cards).to_have_count(50)
    await expect(cards.first).to_contain_text("Registriert")
    await expect(page.get_by_role("navigation", name="Benutzerseiten")).to_contain_text(" von ")
    search = page.get_by_role("searchbox", name="Benutzer suchen")
    await search.fill("niemand-heißt-so")
    await expect(page.get_by_text("Keine Benutzer passen zu „niemand-heißt-so“.")).to_be_visible()
    await expect(page.get_by_role("button", name="Suche zurücksetzen")).to_be_visible()
    problems: list[str] = []
    await check_page(page, "adminpage-users-de", problems)
    # The other admin pages speak German too (their titles and a text of each).
    german_texts = {
        "workflows": ("Workflows", "Zustände"),
        "audit": ("Prüfprotokoll", "Kette prüfen"),
        "ops": ("Betrieb", "Jetzt aktualisieren"),
        "sla": ("SLA-Richtlinien", "Geschäftskalender"),
    }
    for name, (title, text) in german_texts.items():
        await page.goto(ADMIN_PAGES[name])
        await expect(page.get_by_role("heading", level=1)).to_have_text(title)
        await expect(page.get_by_text(text, exact=True).first).to_be_visible()
        await settled(page)
        await check_page(page, f"adminpage-{name}-de", problems)
    assert not problems, "\n".join(problems)
