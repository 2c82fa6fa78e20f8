"""Browser fixtures: Debian's chromium driven by Playwright, against the e2e stack's gateway.

- Chromium comes from Debian's `chromium` package (/usr/bin/chromium), installed here with
  apt-get when missing (as root, as on CI); Playwright's own browser download is never used.
- The app is `frontend/dist`, which `make test` builds first; the stack's gateway serves it.
- Every page a test opens is watched: console errors, uncaught exceptions and CSP
  violations (`securitypolicyviolation`, reported through an exposed function) fail the
  test that caused them. Chromium's own "Failed to load resource: … status of 4xx/5xx"
  lines are network logs of answers the app handles (a 401 asking for the TOTP code, a 503
  from AI suggest), not script errors; they are kept apart and not counted.
- Each user gets a browser context of their own (fresh profile, own storage) that looks
  like its own client IP (`X-Forwarded-For`, which the e2e gateway trusts from 127.0.0.1),
  so the per-IP login and register limits do not couple the tests.
- `shot(page, name)` saves a full-page screenshot in tests/browser/screenshots/ (ignored by
  git) for a person to review.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from ..conftest import ROOT, RunningStack, next_ip

CHROMIUM = Path(os.environ.get("DESK_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).parent / "screenshots"
# GATEWAY_WEB_DIR (which the stack's gateway reads too) lets a build elsewhere be tested.
DIST = Path(os.environ.get("GATEWAY_WEB_DIR") or ROOT / "frontend" / "dist")
# https://peter.sh/experiments/chromium-command-line-switches/ ; the background-networking
# switches keep Chromium from calling out of a machine with no network.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NETWORK_LOG = re.compile(r"^Failed to load resource: the server responded with a status of")
WATCH_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.reportCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || location.pathname}:${e.lineNumber}`);
});
"""


def ensure_chromium() -> Path:
    """Debian's chromium, installed with apt-get when missing (root only, as on CI)."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=600)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
        check=True,
        env=env,
        timeout=900,
    )
    assert CHROMIUM.exists(), "apt-get installed chromium but /usr/bin/chromium is missing"
    return CHROMIUM


@pytest.fixture(scope="session")
def web_app() -> Path:
    """The built app the gateway serves (`make test` builds it; so does `make frontend`)."""
    if not (DIST / "index.html").is_file():
        pytest.fail("frontend/dist is missing: run `make frontend` (make test does it first)")
    return DIST


@pytest.fixture(scope="session")
async def browser(web_app: Path) -> AsyncIterator[Browser]:
    executable = ensure_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=ARGS
        )
        yield browser
        await browser.close()


@dataclass
class Watch:
    """What went wrong in the pages of one browser context."""

    errors: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def _console(self, message) -> None:
        if message.type != "error":
            return
        text = message.text
        (self.network if NETWORK_LOG.match(text) else self.errors).append(
            f"console error on {message.location.get('url', '?')}: {text}"
        )


@dataclass
class Person:
    """One user's browser: a context of its own, its watch and its main page."""

    name: str
    context: BrowserContext
    page: Page
    watch: Watch

    async def new_page(self) -> Page:
        page = await self.context.new_page()
        self.watch.attach(page)
        return page


class People:
    def __init__(self, browser: Browser, stack: RunningStack) -> None:
        self.browser = browser
        self.stack = stack
        self.people: list[Person] = []

    async def __call__(
        self, name: str, *, locale: str | None = None, timezone: str | None = None
    ) -> Person:
        """A browser of its own; `locale` ("de-DE") sets its languages (`navigator.languages`,
        Accept-Language) and `timezone` ("Europe/Berlin") its clock's zone."""
        watch = Watch()
        context = await self.browser.new_context(
            base_url=self.stack.gateway,
            extra_http_headers={"X-Forwarded-For": next_ip()},
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
            locale=locale,
            timezone_id=timezone,
        )
        await context.expose_function(
            "reportCspViolation", lambda text: watch.errors.append(f"CSP violation: {text}")
        )
        await context.add_init_script(WATCH_CSP)
        context.set_default_timeout(15_000)
        page = await context.new_page()
        watch.attach(page)
        person = Person(name, context, page, watch)
        self.people.append(person)
        return person

    def problems(self) -> list[str]:
        return [f"{p.name}: {e}" for p in self.people for e in p.watch.errors]

    async def close(self) -> None:
        for person in self.people:
            await person.context.close()


@pytest.fixture
async def people(browser: Browser, stack: RunningStack) -> AsyncIterator[People]:
    """Open browsers for named people; the test fails on any console error or CSP violation."""
    crowd = People(browser, stack)
    try:
        yield crowd
        problems = crowd.problems()
    finally:
        await crowd.close()
    assert not problems, "errors in the browser:\n" + "\n".join(problems)


async def shot(page: Page, name: str) -> Path:
    """A full-page screenshot, tests/browser/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


# Every form control must have an accessible name (a <label>, aria-label or its own text).
UNLABELLED = """
() => [...document.querySelectorAll("input, select, textarea, button")]
  .filter((el) => el.type !== "hidden")
  .filter((el) => {
    const labelled = (el.labels && el.labels.length > 0) || el.getAttribute("aria-label")
      || el.getAttribute("aria-labelledby");
    const text = el.tagName === "BUTTON" && el.textContent.trim();
    return !(labelled || text);
  })
  .map((el) => el.outerHTML.slice(0, 120))
"""


async def assert_labelled(page: Page) -> None:
    unlabelled = await page.evaluate(UNLABELLED)
    assert not unlabelled, f"controls without a label on {page.url}: {unlabelled}"


@pytest.fixture(scope="module")
async def desk(stack):
    """The API through the stack's gateway (`test_people_sla.Desk`), for a module's setup."""
    from .test_people_sla import Desk  # a test module's helper: imported late, no cycle

    desk = Desk(stack.gateway)
    try:
        yield desk
    finally:
        await desk.http.aclose()
