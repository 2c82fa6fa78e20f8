"""The issue's whole flow in real headless Chromium, through the e2e stack's gateway:
register (every broken password rule shown) → sign in → file a ticket with AI suggest →
an admin makes an agent → the agent moves the ticket → the requester sees the
notification, comments, attaches and downloads a file, reads the history and exports CSV →
the admin verifies the audit chain and looks at workflows and operations → sign out.
Every page is screenshotted and checked for unlabelled controls; the `people` fixture fails
the test on any console error or CSP violation."""

from __future__ import annotations

import re
import secrets

import httpx
import pytest
from playwright.async_api import Page, expect

from servicedesk_devtools.testing import unique

from ..conftest import ADMIN, next_ip
from .conftest import assert_labelled, shot

pytestmark = pytest.mark.e2e

DESCRIPTION = (
    "The VPN is down for everyone in the Leeds office since 9am; nobody can reach the "
    "file server or email."
)


async def visit(page: Page, path: str, heading: str, name: str, ready: str) -> None:
    """Open `path`, wait for its heading and the `ready` text, check labels, screenshot."""
    await page.goto(path)
    await expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    await expect(page.get_by_text(ready).first).to_be_visible()
    await assert_labelled(page)
    await shot(page, name)


async def sign_in(page: Page, username: str, password: str) -> None:
    await page.goto("/login")
    await page.get_by_label("Username or email").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Tickets", exact=True)).to_be_visible()


async def register_requester(page: Page) -> tuple[str, str]:
    name = unique("alice")
    password = "Lantern " + secrets.token_urlsafe(10)
    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/login$"))
    await assert_labelled(page)
    await shot(page, "01-sign-in")
    await page.get_by_role("link", name="Create an account").click()
    await page.get_by_label("Username").fill(name)
    await page.get_by_label("Email").fill(f"{name}@example.com")
    await page.get_by_label("Password", exact=True).fill("1234")
    await page.get_by_label("Repeat the password").fill("1234")
    await page.get_by_role("button", name="Create account").click()
    alert = page.get_by_role("alert")
    for rule in ("At least 8 characters", "too common", "entirely numeric"):
        await expect(alert).to_contain_text(rule)
    await assert_labelled(page)
    await shot(page, "02-register-every-broken-rule")
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_label("Repeat the password").fill(password)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_text("Your account is ready")).to_be_visible()
    await sign_in(page, name, password)
    await assert_labelled(page)
    await shot(page, "03-ticket-list-empty")
    return name, password


async def file_ticket_with_ai(page: Page) -> int:
    await page.get_by_role("link", name="New ticket").first.click()
    await expect(page.get_by_role("heading", name="New ticket")).to_be_visible()
    await page.get_by_label("Description").fill(DESCRIPTION)
    await page.get_by_role("button", name="AI suggest").click()
    await expect(page.get_by_text("filled in from the AI suggestion")).to_be_visible()
    assert len(await page.get_by_label("Title").input_value()) >= 5
    assert await page.get_by_label("Category").input_value()
    assert await page.get_by_label("Priority").input_value() in {"high", "urgent"}
    await expect(page.get_by_text("Summary:")).to_be_visible()
    await assert_labelled(page)
    await shot(page, "04-new-ticket-ai-suggested")
    await page.get_by_role("button", name="File ticket").click()
    await expect(page).to_have_url(re.compile(r"/tickets/\d+$"))
    await expect(page.get_by_role("heading", name="Description")).to_be_visible()
    return int(page.url.rsplit("/", 1)[1])


async def register_agent_via_api(stack) -> tuple[str, str]:
    name = unique("bob")
    password = "Harbour " + secrets.token_urlsafe(10)
    body = {"username": name, "email": f"{name}@example.com", "password": password}
    headers = {"X-Forwarded-For": next_ip()}
    async with httpx.AsyncClient(base_url=stack.gateway, headers=headers) as client:
        assert (await client.post("/api/auth/register", json=body)).status_code == 201
    return name, password


async def make_agent(page: Page, username: str) -> None:
    await sign_in(page, ADMIN["username"], ADMIN["password"])
    await page.get_by_role("link", name="Users").click()
    await expect(page.get_by_role("heading", name="Users and roles")).to_be_visible()
    await page.get_by_label("Search users").fill(username)
    await page.get_by_label("Search users").press("Enter")
    await page.get_by_role("button", name=f"Edit {username}").click()
    await page.get_by_label("Role in TTS").select_option("agent")
    await page.get_by_role("button", name="Save roles").click()
    await expect(page.get_by_text(f"Roles of {username} saved.")).to_be_visible()
    card = page.locator("li.user-card", has_text=f"@{username}")
    await expect(card).to_contain_text("TTS: Agent")
    await assert_labelled(page)
    await shot(page, "08-admin-users-and-roles")


async def test_a_ticket_from_ai_suggest_to_the_requesters_notification(people, stack):
    alice = await people("requester")
    alice_name, _ = await register_requester(alice.page)
    ticket_id = await file_ticket_with_ai(alice.page)
    await shot(alice.page, "05-ticket-page-requester")
    # The requester may close an open ticket but not start work on it.
    await expect(alice.page.get_by_role("button", name="Move to Closed")).to_be_visible()
    await expect(alice.page.get_by_role("button", name="Move to In progress")).to_have_count(0)

    bob_name, bob_password = await register_agent_via_api(stack)
    admin = await people("admin")
    await make_agent(admin.page, bob_name)

    bob = await people("agent")
    await sign_in(bob.page, bob_name, bob_password)
    await assert_labelled(bob.page)
    await shot(bob.page, "06-ticket-list-agent")
    await bob.page.goto(f"/tickets/{ticket_id}")
    await bob.page.get_by_role("button", name="Move to In progress").click()
    moved = bob.page.get_by_role("status").filter(has_text="Moved to In progress")
    await expect(moved).to_be_visible()
    await expect(bob.page.locator(".ticket-facts")).to_contain_text("In progress")
    # People by name: the requester's display name (the username until set), never an id.
    await expect(bob.page.locator(".ticket-facts")).to_contain_text(alice_name)
    await expect(bob.page.locator(".ticket-facts")).not_to_contain_text(
        re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")
    )
    await expect(bob.page.get_by_role("region", name="Service level")).to_be_visible()
    note = "Checked the VPN concentrator: its licence ran out."
    await bob.page.get_by_label("Add a comment").fill(note)
    await bob.page.get_by_label("Internal note (only staff see it)").check()
    await bob.page.get_by_role("button", name="Add internal note").click()
    await expect(bob.page.get_by_text("Internal note", exact=True)).to_be_visible()
    await assert_labelled(bob.page)
    await shot(bob.page, "07-ticket-page-agent")

    await requester_sees_the_change(alice.page, ticket_id)
    await requester_works_the_ticket(alice.page, ticket_id)
    await requester_exports_csv(alice.page, ticket_id)
    await admin_checks_the_books(admin.page)
    await sign_out(alice.page)


async def requester_sees_the_change(page: Page, ticket_id: int) -> None:
    await page.goto("/notifications")
    # Notifications name the person and the state in words (issue 12).
    title = page.get_by_text(re.compile(rf"\S+ moved #{ticket_id} to In progress"))
    for _ in range(40):  # the event crosses the outbox, RabbitMQ and the notifier
        if await title.count():
            break
        await page.get_by_role("button", name="Refresh").click()
        await page.wait_for_timeout(500)
    await expect(title).to_be_visible()
    await expect(page.get_by_role("navigation", name="Main")).to_contain_text(re.compile(r"\d+"))
    await assert_labelled(page)
    await shot(page, "09-notifications-requester")
    await page.get_by_role("link", name=f"Open ticket #{ticket_id}").first.click()
    await expect(page).to_have_url(re.compile(rf"/tickets/{ticket_id}$"))


async def requester_works_the_ticket(page: Page, ticket_id: int) -> None:
    await expect(page.locator(".ticket-facts")).to_contain_text("In progress")
    await expect(page.get_by_text("licence ran out")).to_have_count(0)  # internal note
    await page.get_by_label("Add a comment").fill("Thanks, it is still down here.")
    await page.get_by_role("button", name="Add comment").click()
    await expect(page.get_by_text("Thanks, it is still down here.")).to_be_visible()
    await page.get_by_label("File to attach").set_input_files(
        {"name": "vpn-log.txt", "mimeType": "text/plain", "buffer": b"09:00 tunnel down\n" * 500}
    )
    await page.get_by_role("button", name="Upload").click()
    await expect(page.get_by_text("Uploaded vpn-log.txt.")).to_be_visible()
    async with page.expect_download() as info:
        await page.get_by_role("button", name="Download vpn-log.txt").click()
    download = await info.value
    assert download.suggested_filename == "vpn-log.txt"
    assert (await download.path()).read_bytes() == b"09:00 tunnel down\n" * 500
    history = page.get_by_role("region", name="History")
    await expect(history).to_contain_text("Status changed from Open to In progress")
    await expect(history).to_contain_text("Attachment")
    await assert_labelled(page)
    await shot(page, "10-ticket-page-requester-after")


async def requester_exports_csv(page: Page, ticket_id: int) -> None:
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Tickets").click()
    await page.get_by_label("Search").fill("VPN Leeds")
    await page.get_by_label("Status").select_option("in_progress")
    await page.get_by_role("button", name="Apply filters").click()
    await expect(page).to_have_url(re.compile(r"status=in_progress"))
    await expect(page.get_by_role("link", name=re.compile("VPN|vpn|Leeds"))).to_have_count(1)
    await assert_labelled(page)
    await shot(page, "11-ticket-list-filtered")
    async with page.expect_download() as info:
        await page.get_by_role("button", name="Export CSV").click()
    download = await info.value
    assert re.fullmatch(r"tickets-\d{8}T\d{6}Z\.csv", download.suggested_filename)
    text = (await download.path()).read_bytes().decode()
    assert text.startswith("id,title,status")
    assert f"\r\n{ticket_id}," in text


async def admin_checks_the_books(page: Page) -> None:
    await visit(page, "/admin/audit", "Audit log", "12-admin-audit", "ticket.status_changed")
    await page.get_by_role("button", name="Verify chain").click()
    intact = page.get_by_text(re.compile(r"The chain is intact: all \d+ entries"))
    await expect(intact).to_be_visible()
    await shot(page, "13-admin-audit-verified")
    await visit(page, "/admin/workflows", "Workflows", "14-admin-workflows", "Edit workflow of TTS")
    await visit(page, "/admin/ops", "Operations", "15-admin-ops", "Queue depths")
    health = page.get_by_role("region", name="Service health")
    for service in ("auth", "tickets", "notifications", "ai-assist"):
        row = health.get_by_role("row", name=re.compile(f"^{service} ok", re.IGNORECASE))
        await expect(row).to_be_visible()
    await expect(page.get_by_role("region", name="Queue depths")).to_contain_text("notifications")
    await shot(page, "15-admin-ops")
    await visit(page, "/account", "Your account", "16-account", "Two-step sign-in")


async def sign_out(page: Page) -> None:
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(re.compile(r"/login$"))
    assert await page.evaluate("localStorage.getItem('servicedesk.refresh')") is None
    await page.goto("/tickets")
    await expect(page).to_have_url(re.compile(r"/login\?next=%2Ftickets$"))
