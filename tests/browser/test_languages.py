"""The web UI in the reader's language (issue 13): a browser that asks for German (a
context with `locale="de-DE"`, so `navigator.languages` and Accept-Language say `de-DE`)
gets the sign-in page, the ticket list and a ticket page in German (state labels such as
"In Bearbeitung", dates as dd.mm.yyyy); on the account page "English" turns the page
English at once and it stays English after a reload; "Deutsch" turns it back.

German words are long, so the ticket, new-ticket, notifications and account pages are
checked in German at 390x844 and 1280x800 (and the tablet size between), light and dark,
as a plain requester and as an agent (sign-in and register as a visitor): no sideways
scroll, no button whose text overflows it, no serious or critical axe-core violation.
Screenshots: tests/browser/artifacts/de-<requester|agent|visitor>-<page>-<size>-<scheme>.png
(ignored by git).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import pytest
from playwright.async_api import Page, expect

from ..conftest import ADMIN
from .conftest import People, Person, assert_labelled
from .test_people_sla import Desk
from .test_workspace_layout import AXE, check_page, settled

pytestmark = pytest.mark.e2e

GERMAN_DATE = re.compile(r"\b\d\d\.\d\d\.\d{4}\b")
# Buttons whose text does not fit inside them (a German word too long for its button).
OVERFLOWING_BUTTONS = """
() => [...document.querySelectorAll("button, .button")]
  .filter((b) => b.offsetParent !== null)
  .filter((b) => b.scrollWidth > b.clientWidth + 1
    || b.getBoundingClientRect().right > innerWidth + 0.5)
  .map((b) => `${b.textContent.trim().slice(0, 60)} (${b.scrollWidth} > ${b.clientWidth})`)
"""


@dataclass
class Scene:
    """A requester with two tickets, the first moved to "in_progress" and commented on by an
    agent (so the requester's inbox has one entry gathering both changes)."""

    requester: dict
    requester_password: str
    agent: dict
    agent_password: str
    tickets: list[int]


async def german(people: People, name: str) -> Person:
    """A browser whose language is German, in Berlin's time zone, with axe-core loaded."""
    person = await people(name, locale="de-DE", timezone="Europe/Berlin")
    await person.context.add_init_script(path=str(AXE))
    return person


async def anmelden(page: Page, username: str, password: str) -> None:
    """Sign in through the German sign-in page."""
    await page.goto("/login")
    await page.get_by_label("Benutzername oder E-Mail").fill(username)
    await page.get_by_label("Passwort").fill(password)
    await page.get_by_role("button", name="Anmelden").click()
    await expect(page.get_by_role("heading", name="Tickets", exact=True)).to_be_visible()


@pytest.fixture(scope="module")
async def scene(stack) -> Scene:
    desk = Desk(stack.gateway)
    try:
        suffix = secrets.token_hex(2)
        requester, r_password, r_auth = await desk.person("renate", f"Renate Richter {suffix}")
        agent, a_password, _ = await desk.person("karl", f"Karl Kundendienst {suffix}")
        root = await desk.token(ADMIN["username"], ADMIN["password"])
        roles = [{"system": "TTS", "role": "agent"}]
        resp = await desk.http.put(
            f"/api/admin/users/{agent['id']}/roles", json=roles, headers=root
        )
        assert resp.status_code == 200, resp.text
        a_auth = await desk.token(agent["username"], a_password)  # a token with the new role
        tickets = []
        for title in ("Drucker druckt nur leere Seiten", "VPN bricht jede Stunde ab"):
            body = {"title": title, "description": "Seit Montag.", "system": "TTS"}
            resp = await desk.http.post("/api/tickets", json=body, headers=r_auth)
            assert resp.status_code == 201, resp.text
            tickets.append(resp.json()["id"])
        first = tickets[0]
        resp = await desk.http.post(
            f"/api/tickets/{first}/transitions", json={"to": "in_progress"}, headers=a_auth
        )
        assert resp.status_code == 200, resp.text
        comment = {"body": "Wir sehen uns das an."}
        resp = await desk.http.post(f"/api/tickets/{first}/comments", json=comment, headers=a_auth)
        assert resp.status_code == 201, resp.text

        async def gathered() -> bool:
            inbox = await desk.http.get("/api/notifications", headers=r_auth)
            return any(n["ticket_id"] == first and n["count"] >= 2 for n in inbox.json()["items"])

        await desk.until(gathered, "the requester's inbox entry gathering both changes", 30)
        return Scene(requester, r_password, agent, a_password, tickets)
    finally:
        await desk.http.aclose()


async def test_a_german_browser_gets_german_pages_and_the_switch_is_remembered(people, scene):
    page = (await german(people, "renate")).page
    await page.goto("/login")
    await expect(page.get_by_role("heading", name="Beim Service Desk anmelden")).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "de")
    await expect(page.get_by_role("link", name="Konto anlegen")).to_be_visible()
    await assert_labelled(page)

    await anmelden(page, scene.requester["username"], scene.requester_password)
    nav = page.get_by_role("navigation", name="Hauptmenü")
    await expect(nav.get_by_role("link", name="Neues Ticket")).to_be_visible()
    await expect(nav.get_by_role("link", name=re.compile("^Benachrichtigungen"))).to_be_visible()
    row = page.get_by_role("main").get_by_role("link", name="Drucker druckt nur leere Seiten")
    await expect(row).to_be_visible()
    await expect(page.get_by_role("main")).to_contain_text("In Bearbeitung")

    await page.goto(f"/tickets/{scene.tickets[0]}")
    facts = page.locator(".ticket-facts")
    await expect(facts).to_contain_text("In Bearbeitung")
    await expect(facts).to_contain_text("Anfragender")
    assert GERMAN_DATE.search(await facts.inner_text()), await facts.inner_text()
    await expect(page.get_by_role("heading", name="Service-Level")).to_be_visible()
    await expect(page.get_by_role("heading", name="Verlauf")).to_be_visible()
    history = page.get_by_role("region", name="Verlauf")
    await expect(history).to_contain_text("Status von Offen auf In Bearbeitung geändert")

    await page.goto("/notifications")
    link = page.get_by_role("link", name=f"Ticket #{scene.tickets[0]} öffnen")
    entry = page.locator(".inbox > li").filter(has=link)
    await expect(entry).to_contain_text(re.compile(r"\d+ Änderungen"))

    await page.goto("/account")
    language = page.get_by_label("Sprache")
    await expect(language).to_have_value("")
    await expect(language.locator("option").first).to_have_text("Wie der Browser (Deutsch)")
    await language.select_option(label="English")
    await expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    await expect(nav.get_by_role("link", name="New ticket")).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.reload()
    await expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    await expect(page.get_by_label("Language")).to_have_value("en")
    await page.goto(f"/tickets/{scene.tickets[0]}")
    await expect(page.locator(".ticket-facts")).to_contain_text("In progress")

    await page.goto("/account")
    await page.get_by_label("Language").select_option(label="Deutsch")
    await expect(page.get_by_role("heading", name="Ihr Konto")).to_be_visible()
    await page.reload()
    await expect(page.get_by_role("heading", name="Ihr Konto")).to_be_visible()
    await page.get_by_label("Sprache").select_option(label="Wie der Browser (Deutsch)")
    await expect(page.get_by_role("heading", name="Ihr Konto")).to_be_visible()
    assert await page.evaluate("localStorage.getItem('servicedesk.locale')") is None


async def overflowing_buttons(page: Page, where: str, problems: list[str]) -> None:
    """Buttons whose words do not fit them, at the phone's and the laptop's width."""
    for width, height in ((390, 844), (1280, 800)):
        await page.set_viewport_size({"width": width, "height": height})
        for button in await page.evaluate(OVERFLOWING_BUTTONS):
            problems.append(f"{where} at {width}: button overflows: {button}")
    await page.set_viewport_size({"width": 1280, "height": 800})


def signed_in_pages(ticket_id: int) -> dict[str, str]:
    return {
        "ticket": f"/tickets/{ticket_id}",
        "new-ticket": "/tickets/new",
        "notifications": "/notifications",
        "account": "/account",
    }


async def check_german_pages(
    page: Page, who: str, pages: dict[str, str], problems: list[str]
) -> None:
    for name, path in pages.items():
        await page.goto(path)
        await settled(page)
        await expect(page.locator("html")).to_have_attribute("lang", "de")
        await assert_labelled(page)
        await check_page(page, f"de-{who}-{name}", problems)
        await overflowing_buttons(page, f"{who} {name}", problems)


@pytest.mark.timeout(600)
async def test_german_pages_fit_every_screen_and_axe_finds_nothing_serious(people, scene):
    problems: list[str] = []
    requester = (await german(people, "renate-layout")).page
    await anmelden(requester, scene.requester["username"], scene.requester_password)
    await check_german_pages(requester, "requester", signed_in_pages(scene.tickets[0]), problems)

    agent = (await german(people, "karl-layout")).page
    await anmelden(agent, scene.agent["username"], scene.agent_password)
    await agent.goto(f"/tickets/{scene.tickets[1]}")
    await expect(agent.get_by_role("group", name="Status ändern")).to_be_visible()
    await expect(agent.get_by_role("button", name="Mir zuweisen")).to_be_visible()
    await check_german_pages(agent, "agent", signed_in_pages(scene.tickets[1]), problems)

    visitor = (await german(people, "besucher")).page
    await check_german_pages(
        visitor, "visitor", {"sign-in": "/login", "register": "/register"}, problems
    )
    assert not problems, "\n".join(problems)
