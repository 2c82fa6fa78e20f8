"""The web UI's API types are generated (openapi-typescript) from frontend/openapi.json, a
snapshot of the gateway's merged document. This keeps the snapshot equal to what the live
gateway serves, so a service changing its API shows up here, not as a broken page.

To refresh it after an API change:
    DESK_UPDATE_OPENAPI=1 .venv/bin/python -m pytest tests/browser/test_openapi_snapshot.py
then `make frontend` (regenerates the types; `tsc` reports every call that no longer fits).
"""

from __future__ import annotations

import json
import os

import pytest

from ..conftest import ROOT

pytestmark = pytest.mark.e2e
SNAPSHOT = ROOT / "frontend" / "openapi.json"


def render(doc: dict) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


async def test_the_clients_openapi_snapshot_matches_the_live_gateway(client):
    resp = await client.get("/openapi.json")
    assert resp.status_code == 200
    live = resp.json()
    if os.environ.get("DESK_UPDATE_OPENAPI") == "1":
        SNAPSHOT.write_text(render(live))
    assert json.loads(SNAPSHOT.read_text()) == live, (
        "frontend/openapi.json differs from the gateway's /openapi.json; refresh it with "
        "DESK_UPDATE_OPENAPI=1 pytest tests/browser/test_openapi_snapshot.py, then make frontend"
    )
