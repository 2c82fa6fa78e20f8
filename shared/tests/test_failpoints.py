"""Failpoints crash where they are armed, and nowhere in production."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from servicedesk_shared import failpoints

SCRIPT = (
    "from servicedesk_shared import failpoints\n"
    "failpoints.crash_at('relay.after_publish')\n"
    "print('survived')\n"
)


def _run(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("DESK_FAILPOINTS", "DESK_ENV")}
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], env={**base, **env}, capture_output=True, text=True
    )


def test_an_armed_point_exits_as_if_killed() -> None:
    done = _run(DESK_FAILPOINTS="other, relay.after_publish")
    assert done.returncode == failpoints.EXIT_STATUS and "survived" not in done.stdout


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"DESK_FAILPOINTS": "other"},
        {"DESK_FAILPOINTS": "relay.after_publish", "DESK_ENV": "production"},
    ],
)
def test_unarmed_or_production_points_do_nothing(env: dict[str, str]) -> None:
    done = _run(**env)
    assert done.returncode == 0 and "survived" in done.stdout
