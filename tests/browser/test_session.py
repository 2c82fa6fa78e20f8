"""Tokens and sign-in in the browser: the refresh token rotates transparently on reload
(the access token is in memory only), signing out in one tab signs out the others, TOTP
sign-in, the keyboard alone is enough to sign in, and the CSP watch itself works."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

import httpx
import pytest
from playwright.async_api import expect

from ..conftest import new_user_payload, next_ip
from .conftest import shot
from .test_journey import sign_in

pytestmark = pytest.mark.e2e
REFRESH = "localStorage.getItem('servicedesk.refresh')"


async def registered(stack) -> dict[str, str]:
    payload = new_user_payload("carol")
    async with httpx.AsyncClient(
        base_url=stack.gateway, headers={"X-Forwarded-For": next_ip()}
    ) as c:
        assert (await c.post("/api/auth/register", json=payload)).status_code == 201
    return payload


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), as authenticator apps compute it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((at or time.time()) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{code % 1_000_000:06d}"


async def test_a_reload_rotates_the_refresh_token_without_signing_out(people, stack):
    user = await registered(stack)
    carol = await people("carol")
    async with carol.page.expect_response(re.compile(r"/api/token$")) as signed_in:
        await sign_in(carol.page, user["username"], user["password"])
    access = (await (await signed_in.value).json())["access"]
    first = await carol.page.evaluate(REFRESH)
    assert first
    stored = await carol.page.evaluate(
        "JSON.stringify([{...localStorage}, {...sessionStorage}, document.cookie])"
    )
    assert access not in stored  # the access token is kept in memory only
    await carol.page.reload()
    await expect(carol.page.get_by_role("heading", name="Tickets", exact=True)).to_be_visible()
    second = await carol.page.evaluate(REFRESH)
    assert second and second != first
    async with httpx.AsyncClient(
        base_url=stack.gateway, headers={"X-Forwarded-For": next_ip()}
    ) as c:
        reuse = await c.post("/api/token/refresh", json={"refresh": first})
    assert reuse.status_code == 401  # single use: the old one is spent (and its family revoked)


async def test_signing_out_in_one_tab_signs_out_the_others(people, stack):
    user = await registered(stack)
    carol = await people("carol-tabs")
    await sign_in(carol.page, user["username"], user["password"])
    other = await carol.new_page()
    await other.goto("/notifications")
    await expect(other.get_by_role("heading", name="Notifications")).to_be_visible()
    await carol.page.get_by_role("button", name="Sign out", exact=True).click()
    await expect(carol.page).to_have_url(re.compile(r"/login$"))
    await expect(other.get_by_role("heading", name="Sign in to the Service Desk")).to_be_visible()


async def test_sign_out_everywhere_ends_the_sessions_on_other_devices(people, stack):
    user = await registered(stack)
    laptop, phone = await people("fay-laptop"), await people("fay-phone")
    for device in (laptop, phone):
        await sign_in(device.page, user["username"], user["password"])
    await laptop.page.goto("/account")
    await shot(laptop.page, "18-account-sessions")
    await laptop.page.get_by_role("button", name="Sign out everywhere", exact=True).click()
    await expect(laptop.page).to_have_url(re.compile(r"/login$"))
    # The phone (another browser profile) learns on its next request to the service desk.
    await phone.page.get_by_role("link", name="Notifications").click()
    sign_in_page = phone.page.get_by_role("heading", name="Sign in to the Service Desk")
    await expect(sign_in_page).to_be_visible()


async def test_sign_in_asks_for_the_totp_code_when_enrolled(people, stack):
    user = await registered(stack)
    dave = await people("dave")
    page = dave.page
    await sign_in(page, user["username"], user["password"])
    await page.goto("/account")
    await page.get_by_role("button", name="Set up two-step sign-in").click()
    secret = (await page.get_by_label("Secret key").text_content()).strip()
    await page.get_by_label("Code from the app").fill(totp(secret))
    await page.get_by_role("button", name="Confirm and turn on").click()
    await expect(page.get_by_text("Two-step sign-in is on.")).to_be_visible()
    await page.get_by_role("button", name="Sign out", exact=True).click()
    await page.get_by_label("Username or email").fill(user["username"])
    await page.get_by_label("Password").fill(user["password"])
    await page.get_by_role("button", name="Sign in").click()
    code = page.get_by_label("Authentication code")
    await expect(code).to_be_visible()
    await shot(page, "17-sign-in-totp")
    await code.fill("000000" if totp(secret) != "000000" else "111111")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text(re.compile("code", re.I))
    # Each code works once: the enrolment spent this step's, so use the next step's (the
    # server accepts one step of drift).
    await code.fill(totp(secret, time.time() + 30))
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Tickets", exact=True)).to_be_visible()


async def test_the_keyboard_alone_signs_in_and_reaches_every_nav_link(people, stack):
    user = await registered(stack)
    erin = await people("erin")
    page = erin.page
    await page.goto("/login")
    await expect(page.get_by_label("Username or email")).to_be_visible()
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Username or email")).to_be_focused()
    await page.keyboard.type(user["username"])
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Password")).to_be_focused()
    await page.keyboard.type(user["password"])
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Tickets", exact=True)).to_be_visible()
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    await expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Tickets")
    ).to_be_focused()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="New ticket")).to_be_visible()


async def test_the_watch_reports_a_csp_violation(people):
    """The guard every other test relies on: an inline style is refused and reported."""
    frank = await people("csp-check")
    await frank.page.goto("/login")
    await frank.page.evaluate(
        "() => { const s = document.createElement('style'); s.textContent = 'body{color:red}';"
        " document.head.append(s); }"
    )
    for _ in range(50):
        if any("CSP violation" in e for e in frank.watch.errors):
            break
        await frank.page.wait_for_timeout(100)
    await frank.page.wait_for_timeout(300)  # the console line arrives too
    assert any("CSP violation: style-src" in e for e in frank.watch.errors), frank.watch.errors
    color = await frank.page.evaluate("getComputedStyle(document.body).color")
    assert color != "rgb(255, 0, 0)"
    frank.watch.errors.clear()  # expected here; any other page's error still fails its test
