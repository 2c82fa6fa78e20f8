"""The route table: the people directory and orphaned assignments go to tickets, systems to
auth (which owns them)."""

from __future__ import annotations

import pytest

from servicedesk_gateway.routes import match


@pytest.mark.parametrize(
    ("path", "upstream"),
    [
        ("/api/people", "tickets"),
        ("/api/systems", "auth"),
        ("/api/admin/orphaned-assignments", "tickets"),
        ("/api/admin/users", "auth"),
        ("/api/sla/TTS", "tickets"),
        ("/api/views", "tickets"),
        ("/api/views/mine/tickets", "tickets"),
    ],
)
def test_people_go_to_tickets_and_systems_to_auth(path, upstream):
    route = match(path)
    assert route is not None and route.upstream == upstream


def test_internal_paths_stay_unreachable_under_people():
    assert match("/api/people/internal/users") is None
