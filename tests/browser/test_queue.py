"""The agent's queue in the browser (issue 13, contract §14): an agent of a system of their
own, with 30 tickets in it (one titled with 300 unbroken characters), works the list.

- the views sidebar shows the counts `GET /api/views` gives the agent;
- a header click sorts the rows and puts `sort` in the URL; filters survive opening a
  ticket and coming back (the browser's back button and the ticket page's "Tickets" link);
- two rows ticked with the mouse and one with `x`, "Assign to me": 3 succeeded, the
  assignee column names the agent; a move the workflow refuses is reported per ticket and
  that ticket stays selected; `a` assigns the current row;
- at 390x844, 820x1180 and 1280x800, light and dark: no sideways scroll, no serious axe
  finding; screenshots with the selection and the bulk bar in tests/browser/artifacts/
  (queue-*.png).

The tickets live in a new system (`POST /api/systems`) so that other tests' tickets never
show in this agent's queue and the counts are this file's alone.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import pytest
from playwright.async_api import Page, expect

from servicedesk_devtools.testing import eventually

from ..conftest import ADMIN
from .test_journey import sign_in
from .test_people_sla import Desk
from .test_workspace_layout import AXE, LONG_TITLE, SIZES, check_page, lengthen, sideways

pytestmark = pytest.mark.e2e

PRIORITIES = ("low", "medium", "high", "urgent")
RANK = {"Low": 0, "Medium": 1, "High": 2, "Urgent": 3}
API_TITLE = ("https://example.com/" + "q" * 200)[:200]  # the longest the API takes, no spaces
COUNT = 30


@dataclass
class Queue:
    system: str
    username: str
    password: str
    name: str
    auth: dict[str, str]
    ids: list[int]  # oldest first; ids[0] has the long title


async def new_system(desk: Desk, root: dict[str, str]) -> str:
    code = "Q" + secrets.token_hex(4).upper()
    body = {"code": code, "name": "Queue test"}
    resp = await desk.http.post("/api/systems", json=body, headers=root)
    assert resp.status_code == 201, resp.text

    async def has_workflow() -> bool:
        listed = (await desk.http.get("/api/workflows", headers=root)).json()
        return any(w["system"] == code for w in listed)

    await eventually(has_workflow, timeout=10)
    return code


async def make_agent(desk: Desk, root: dict[str, str], system: str) -> tuple[dict, str, str]:
    name = f"Agnes Agent {secrets.token_hex(2)}"
    agent, password, _ = await desk.person("agnes", name)
    roles = [{"system": system, "role": "agent"}]
    resp = await desk.http.put(f"/api/admin/users/{agent['id']}/roles", json=roles, headers=root)
    assert resp.status_code == 200, resp.text

    async def listed_as_staff() -> bool:
        found = await desk.http.get("/api/people", params={"system": system}, headers=root)
        return any(p["id"] == agent["id"] for p in found.json().get("items", []))

    await eventually(listed_as_staff, timeout=10)
    return agent, password, name


@pytest.fixture(scope="module")
async def queue(stack) -> Queue:
    desk = Desk(stack.gateway)
    try:
        root = await desk.token(ADMIN["username"], ADMIN["password"])
        system = await new_system(desk, root)
        agent, password, name = await make_agent(desk, root, system)
        _, _, requester = await desk.person("quinn", f"Quinn Requester {secrets.token_hex(2)}")
        ids = []
        for n in range(COUNT):
            title = API_TITLE if n == 0 else f"Queue ticket {n:02d}: the scanner on floor {n % 5}"
            body = {
                "title": title,
                "description": "From the queue test.",
                "system": system,
                "priority": PRIORITIES[n % 4],
            }
            resp = await desk.http.post("/api/tickets", json=body, headers=requester)
            assert resp.status_code == 201, resp.text
            ids.append(resp.json()["id"])
        auth = await desk.token(agent["username"], password)
        return Queue(system, agent["username"], password, name, auth, ids)
    finally:
        await desk.http.aclose()


async def agent_page(people, queue: Queue) -> Page:
    agent = await people("agent")
    await agent.context.add_init_script(path=str(AXE))
    await lengthen(agent.context, queue.ids[0])
    await sign_in(agent.page, queue.username, queue.password)
    return agent.page


async def api_views(stack, queue: Queue) -> dict[str, int]:
    desk = Desk(stack.gateway)
    try:
        resp = await desk.http.get("/api/views", headers=queue.auth)
        assert resp.status_code == 200, resp.text
        return {v["id"]: v["count"] for v in resp.json()["items"]}
    finally:
        await desk.http.aclose()


def box(page: Page, ticket_id: int):
    return page.get_by_role("checkbox", name=f"Select ticket #{ticket_id}", exact=True)


def rows(page: Page):
    return page.locator("tbody tr")


async def column(page: Page, label: str) -> list[str]:
    cells = page.locator(f'tbody td[data-label="{label}"]')
    return [text.strip() for text in await cells.all_inner_texts()]


async def test_views_counts_sorting_and_filters_that_survive_a_ticket(people, stack, queue):
    page = await agent_page(people, queue)
    views = page.get_by_role("navigation", name="Views")
    counts = await api_views(stack, queue)
    assert counts["unassigned"] == COUNT and counts["mine"] == 0, counts
    builtins = {"mine": "Assigned to me", "unassigned": "Unassigned", "at_risk": "At risk"}
    for view_id, name in builtins.items():
        link = views.get_by_role("link", name=re.compile(rf"^{name} \d+ tickets$"))
        await expect(link.locator(".view-count")).to_have_text(f"{counts[view_id]} tickets")
    unassigned = views.get_by_role("link", name=re.compile(r"^Unassigned \d"))
    await unassigned.click()
    await expect(page).to_have_url(re.compile(r"/tickets\?assignee=none&active=true&sort=sla_due$"))
    await expect(unassigned).to_have_attribute("aria-current", "page")
    await expect(page.get_by_text(f"{COUNT} in all", exact=False)).to_be_attached()

    # A header sorts: the URL says how, the rows follow, a second click flips it.
    await page.goto(f"/tickets?system={queue.system}")
    await expect(rows(page)).to_have_count(25)
    priority = page.get_by_role("columnheader", name=re.compile("Priority"))
    await priority.get_by_role("button").click()
    await expect(page).to_have_url(re.compile(rf"\?system={queue.system}&sort=-priority$"))
    await expect(priority).to_have_attribute("aria-sort", "descending")
    await expect(rows(page).first.locator('td[data-label="Priority"]')).to_have_text("Urgent")
    ranks = [RANK[p] for p in await column(page, "Priority")]
    assert ranks == sorted(ranks, reverse=True), ranks
    await priority.get_by_role("button").click()
    await expect(page).to_have_url(re.compile(r"sort=priority$"))
    await expect(priority).to_have_attribute("aria-sort", "ascending")
    await expect(rows(page).first.locator('td[data-label="Priority"]')).to_have_text("Low")

    # Filters survive a ticket: the browser's back button, then the ticket page's link.
    await page.get_by_label("Priority", exact=True).select_option(label="High")
    await page.get_by_role("button", name="Apply filters").click()
    filtered = re.compile(rf"/tickets\?priority=high&system={queue.system}&sort=priority$")
    await expect(page).to_have_url(filtered)
    await expect(rows(page)).to_have_count(COUNT // 4)
    await rows(page).first.get_by_role("link").click()
    await expect(page).to_have_url(re.compile(r"/tickets/\d+$"))
    await page.go_back()
    await expect(page).to_have_url(filtered)
    await expect(page.get_by_label("Priority", exact=True)).to_have_value("high")
    await expect(rows(page)).to_have_count(COUNT // 4)
    assert set(await column(page, "Priority")) == {"High"}
    await rows(page).nth(1).get_by_role("link").click()
    await page.get_by_role("main").get_by_role("link", name="Tickets", exact=True).click()
    await expect(page).to_have_url(filtered)
    await expect(rows(page).nth(1)).to_have_attribute("aria-current", "true")

    # These filters saved as a view: listed with its count and current; then deleted.
    name = f"High in {queue.system}"
    await views.get_by_role("button", name="Save current filters as a view").click()
    await views.get_by_label("Name of the view").fill(name)
    await views.get_by_role("button", name="Save view").click()
    await expect(views.get_by_role("status")).to_have_text(f"Saved the view “{name}”.")
    saved = views.get_by_role("link", name=f"{name} {COUNT // 4} tickets")
    await expect(saved).to_have_attribute("aria-current", "page")
    await views.get_by_role("button", name=f"Delete the view {name}").click()
    await page.get_by_role("dialog").get_by_role("button", name="Delete view").click()
    await expect(views.get_by_role("status")).to_have_text(f"Deleted the view “{name}”.")
    await expect(saved).to_have_count(0)


async def test_bulk_assign_refusals_and_the_a_key(people, queue):
    page = await agent_page(people, queue)
    await page.goto(f"/tickets?system={queue.system}&sort=created_at")
    await expect(rows(page)).to_have_count(25)
    await expect(page.get_by_text(LONG_TITLE).first).to_be_visible()
    bar = page.get_by_role("region", name="Bulk actions")
    await expect(bar).to_have_count(0)

    # Two with the mouse, the third with x (j moves on from the last one ticked).
    await box(page, queue.ids[0]).check()
    await box(page, queue.ids[1]).check()
    await page.keyboard.press("j")
    await expect(rows(page).nth(2)).to_have_attribute("aria-current", "true")
    await page.keyboard.press("x")
    await expect(box(page, queue.ids[2])).to_be_checked()
    await expect(bar).to_contain_text("3 selected")
    await bar.get_by_role("button", name="Assign to me").click()
    status = page.get_by_role("status").filter(has_text="succeeded")
    await expect(status).to_have_text("3 succeeded.")
    assignees = page.locator('tbody td[data-label="Assignee"]')
    for n in range(3):
        await expect(assignees.nth(n)).to_have_text(queue.name)
    await expect(assignees.nth(3)).to_have_text("Nobody")
    await expect(bar).to_have_count(0)
    await expect(page.locator(".bulk-results")).to_be_focused()  # not lost with the bar

    # One move the workflow allows (in progress -> resolved), one it refuses (open -> resolved).
    await box(page, queue.ids[0]).check()
    await bar.get_by_label("New status").select_option(label="In progress")
    await bar.get_by_role("button", name="Move").click()
    await expect(status).to_have_text("1 succeeded.")
    await box(page, queue.ids[0]).check()
    await box(page, queue.ids[3]).check()
    await bar.get_by_label("New status").select_option(label="Resolved")
    await bar.get_by_role("button", name="Move").click()
    await expect(status).to_contain_text("1 succeeded. 1 refused:")
    await expect(status).to_contain_text(f"#{queue.ids[3]} Queue ticket 03")
    await expect(status).to_contain_text("the workflow has no such move from its status")
    await expect(bar).to_contain_text("1 selected")
    await expect(box(page, queue.ids[3])).to_be_checked()
    await expect(box(page, queue.ids[0])).not_to_be_checked()
    await expect(rows(page).nth(0).locator('td[data-label="Status"]')).to_have_text("Resolved")

    # The queue with a selection, the bar and the results: every size, both schemes.
    await box(page, queue.ids[4]).check()
    await page.locator("h1").click()
    problems: list[str] = []
    await check_page(page, "queue-bulk", problems)
    assert not problems, "\n".join(problems)

    # a: the focused row, nothing selected.
    await bar.get_by_role("button", name="Clear selection").click()
    await expect(bar).to_have_count(0)
    await rows(page).nth(5).get_by_role("link").focus()
    await expect(rows(page).nth(5)).to_have_attribute("aria-current", "true")
    await page.keyboard.press("a")
    await expect(status).to_have_text("1 succeeded.")
    await expect(assignees.nth(5)).to_have_text(queue.name)


async def test_the_queue_holds_up_at_every_size(people, queue):
    page = await agent_page(people, queue)
    await page.goto(f"/tickets?system={queue.system}&sort=created_at")
    await expect(page.get_by_text(LONG_TITLE).first).to_be_visible()
    problems: list[str] = []
    await check_page(page, "queue", problems)
    assert not problems, "\n".join(problems)
    await page.set_viewport_size(SIZES["390"])
    await page.get_by_role("checkbox", name="Select all tickets on this page").check()
    await expect(page.get_by_role("region", name="Bulk actions")).to_contain_text("25 selected")
    assert await sideways(page) is None, await sideways(page)
