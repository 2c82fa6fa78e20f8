"""The mixed load of `bench/soak.py`: requesters and agents using the service desk through
the gateway as the web UI does. Not run alone: soak.py starts the stack, seeds it and runs
Locust on this file with `BENCH_SOAK_PEOPLE` (a JSON file of the seeded people and their
tokens) and `BENCH_SOAK_STATUS` (where the figures and status codes per route go at the end).

Proportions: three simulated people in ten are staff (140 requesters and 60 agents of 200:
agents are on the desk all day, requesters drop in); a requester thinks 5-15 s between
actions, an agent 3-10 s. Each page the UI would open costs the requests it makes (a
ticket's page: the ticket, its comments, history and attachments, and for staff its
workflow), and every signed-in page polls the unread count every 15 s as the layout does.
Requests are named by route template (`/api/tickets/{id}`): Locust's statistics are per
route.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from collections import Counter, defaultdict

from locust import FastHttpUser, between, events, task

PEOPLE = json.loads(open(os.environ["BENCH_SOAK_PEOPLE"]).read())  # noqa: SIM115
# soak.py --pace: think times divided by it (pace 10 = ten times the requests per person).
PACE = float(os.environ.get("BENCH_SOAK_PACE", "1"))
STATUS: dict[str, Counter] = defaultdict(Counter)
REFUSED_MS: list[float] = []  # response times of the 503s (the overload bound's refusals)
POLL_SECONDS = 15
UNREAD = "/api/notifications/unread-count"
# The default workflow's moves staff make (systems/service.py DEFAULT_WORKFLOW).
MOVES = {
    "open": ["in_progress", "in_progress", "closed"],
    "in_progress": ["waiting", "resolved", "resolved"],
    "waiting": ["in_progress"],
    "resolved": ["closed"],
}
SORTS = ["-updated_at"] * 5 + ["-priority", "sla_due", "created_at", "status"]
WORDS = ["printer", "VPN", "laptop", "password", "monitor", "e-mail", "badge", "Wi-Fi"]
_next = {"requester": itertools.count(), "agent": itertools.count()}


@events.request.add_listener
def _count(request_type, name, response, exception, **_kw) -> None:
    code = getattr(response, "status_code", 0) or 0
    STATUS[f"{request_type} {name}"][str(code)] += 1
    if code == 503:
        REFUSED_MS.append(_kw.get("response_time") or 0.0)


@events.quitting.add_listener
def _write(environment, **_kw) -> None:
    """Per route: Locust's final figures (ms; the HTML report's too) and the statuses."""
    path = os.environ.get("BENCH_SOAK_STATUS")
    if not path:
        return
    stats, rows = environment.stats, []
    entries = sorted(stats.entries.values(), key=lambda e: (e.name, e.method))
    for entry in [*entries, stats.total]:
        route = f"{entry.method} {entry.name}" if entry.method else "all routes"
        codes = STATUS.get(route) or sum(STATUS.values(), Counter())
        rows.append(
            {
                "route": route,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "rps": round(entry.total_rps, 2),
                **{
                    f"p{round(q * 100)}": entry.get_response_time_percentile(q)
                    for q in (0.5, 0.95, 0.99)
                },
                "max": round(entry.max_response_time or 0),
                "statuses": dict(sorted(codes.items())),
            }
        )
    refused = sorted(REFUSED_MS)
    ranks = {f"p{q}": round(refused[len(refused) * q // 100]) for q in (50, 95, 99) if refused}
    rows.append({"route": "refused (503)", "count": len(refused), **ranks})
    with open(path, "w") as out:
        json.dump(rows, out, indent=2)


class Person(FastHttpUser):
    abstract = True
    kind = ""

    def on_start(self) -> None:
        pool = PEOPLE[self.kind + "s"]
        self.me = pool[next(_next[self.kind]) % len(pool)]
        self.auth = {"Authorization": f"Bearer {self.me['token']}"}
        self.polled = 0.0
        self.seen: list[dict] = []  # the last list page: what the next click picks from
        self.load_list()

    def call(self, method: str, path: str, name: str, *, expected=(), headers=None, **kw):
        """One request as the UI makes it; `expected` statuses (a race another person won)
        count as answered, not as failures (soak.py still reports every status)."""
        if name != UNREAD:
            self.poll()
        headers = {**self.auth, **(headers or {})}
        with self.client.request(
            method, path, name=name, headers=headers, catch_response=True, **kw
        ) as resp:
            if resp.status_code in expected:
                resp.success()
            return resp

    def poll(self) -> None:
        """The layout's unread badge: every 15 s while the person uses the app (checked
        before each request, as the page's timer fires between clicks)."""
        now = time.monotonic()
        if now - self.polled >= POLL_SECONDS:
            self.polled = now
            self.call("GET", UNREAD, UNREAD)

    def load_list(self, **params) -> None:
        resp = self.call("GET", "/api/tickets", "/api/tickets", params={"limit": 25, **params})
        if resp.status_code == 200:
            self.seen = resp.json()["items"] or self.seen

    def open_ticket(self) -> dict | None:
        """A ticket's page: the ticket, then its comments, history and attachments."""
        if not self.seen:
            return None
        tid = random.choice(self.seen)["id"]
        resp = self.call("GET", f"/api/tickets/{tid}", "/api/tickets/{id}")
        if resp.status_code != 200:
            return None
        ticket = resp.json()
        self.call("GET", f"/api/tickets/{tid}/comments", "/api/tickets/{id}/comments")
        self.call("GET", f"/api/tickets/{tid}/history", "/api/tickets/{id}/history")
        self.call("GET", f"/api/tickets/{tid}/attachments", "/api/tickets/{id}/attachments")
        return ticket

    def comment(self, internal: bool = False) -> None:
        ticket = self.open_ticket()
        if ticket:
            body = {
                "body": f"{random.choice(WORDS)}: tried again at {time.strftime('%H:%M')}",
                "internal": internal,
            }
            self.call(
                "POST",
                f"/api/tickets/{ticket['id']}/comments",
                "/api/tickets/{id}/comments",
                json=body,
            )

    def notifications(self) -> None:
        """The inbox: the page, then one entry opened (marked read) now and then."""
        resp = self.call("GET", "/api/notifications", "/api/notifications", params={"limit": 20})
        if resp.status_code != 200:
            return
        unread = [n for n in resp.json()["items"] if n["read_at"] is None]
        if unread and random.random() < 0.5:
            nid = random.choice(unread)["id"]
            self.call("POST", f"/api/notifications/{nid}/read", "/api/notifications/{id}/read")
        elif random.random() < 0.1:
            self.call("POST", "/api/notifications/read-all", "/api/notifications/read-all")


class Requester(Person):
    """Files tickets, follows their own, answers the desk's questions."""

    weight = 7
    kind = "requester"
    wait_time = between(5 / PACE, 15 / PACE)

    @task(4)
    def my_tickets(self) -> None:
        self.load_list(**random.choice([{}, {}, {"active": "true"}, {"sort": "-created_at"}]))

    @task(5)
    def read_ticket(self) -> None:
        self.open_ticket()

    @task(2)
    def reply(self) -> None:
        self.comment()

    @task(1)
    def file(self) -> None:
        """New ticket: retry-safe with an Idempotency-Key, as the UI sends it."""
        word = random.choice(WORDS)
        body = {
            "title": f"{word} does not work",
            "priority": random.choice(["low", "medium", "medium", "high"]),
            "description": f"Since this morning the {word} fails.",
            "system": random.choice(["TTS", "HDTS"]),
        }
        resp = self.call(
            "POST",
            "/api/tickets",
            "/api/tickets",
            json=body,
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        if resp.status_code == 201:
            self.seen.append(resp.json())

    @task(3)
    def inbox(self) -> None:
        self.notifications()


class Agent(Person):
    """Works a system's queue: filters and sorts it, opens, takes, moves, answers, exports."""

    weight = 3
    kind = "agent"
    wait_time = between(3 / PACE, 10 / PACE)

    def load_list(self, **params) -> None:
        super().load_list(system=self.me["system"], **params)

    @task(8)
    def browse(self) -> None:
        """The queue with the filters an agent flips through, sometimes a second page."""
        filters = random.choice(
            [
                {},
                {"active": "true"},
                {"assignee": "me"},
                {"assignee": "none"},
                {"status": random.choice(["open", "in_progress", "waiting"])},
                {"priority": random.choice(["high", "urgent"]), "active": "true"},
                {"sla": "at_risk"},
                {"q": random.choice(["printer", "printer floor 3", "jams"])},
            ]
        )
        filters["sort"] = random.choice(SORTS)
        if random.random() < 0.2:
            filters["offset"] = 25
        self.load_list(**filters)

    @task(2)
    def views(self) -> None:
        """The views menu (each with its count), then one built-in view."""
        self.call("GET", "/api/views", "/api/views")
        view = random.choice(["mine", "unassigned", "at_risk"])
        resp = self.call(
            "GET", f"/api/views/{view}/tickets", "/api/views/{id}/tickets", params={"limit": 25}
        )
        if resp.status_code == 200 and resp.json()["items"]:
            self.seen = resp.json()["items"]

    @task(6)
    def work_ticket(self) -> None:
        ticket = self.open_ticket()
        if ticket:
            self.call("GET", f"/api/workflows/{ticket['system']}", "/api/workflows/{system}")

    @task(3)
    def answer(self) -> None:
        self.comment(internal=random.random() < 0.3)

    @task(3)
    def move(self) -> None:
        """A workflow transition from the ticket's state (409 if someone moved it first)."""
        ticket = self.open_ticket()
        if ticket and ticket["status"] in MOVES:
            to = random.choice(MOVES[ticket["status"]])
            path = f"/api/tickets/{ticket['id']}/transitions"
            self.call(
                "POST", path, "/api/tickets/{id}/transitions", json={"to": to}, expected=(409,)
            )

    @task(1)
    def take(self) -> None:
        """Assign to me: an unassigned ticket (403 if another agent took it first)."""
        free = [t for t in self.seen if t.get("assignee_id") is None]
        if free:
            tid = random.choice(free)["id"]
            self.call(
                "PATCH",
                f"/api/tickets/{tid}",
                "/api/tickets/{id}",
                json={"assignee_id": self.me["id"]},
                expected=(403,),
            )

    @task(2)
    def inbox(self) -> None:
        self.notifications()

    @task(1)
    def export(self) -> None:
        """The CSV of the system's open or active tickets (a few hundred to ~2,000 rows)."""
        params = {
            "system": self.me["system"],
            **random.choice([{"status": "open"}, {"active": "true"}, {"assignee": "me"}]),
        }
        self.call("GET", "/api/export/tickets", "/api/export/tickets", params=params)
