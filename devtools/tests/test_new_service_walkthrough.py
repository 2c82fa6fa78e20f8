"""docs/new-service.md builds a toy service from the kit in under 100 lines: its code is
run here, as written in the document, on a throw-away database and real Redis."""

from __future__ import annotations

import importlib.util
import re
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from asgi_lifespan import LifespanManager

from servicedesk_devtools.testing import make_access_token, revocation_prefix, throwaway_database

DOC = Path(__file__).resolve().parents[2] / "docs" / "new-service.md"
TEST_KEY = "walkthrough:" + "w" * 64


def the_code() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    assert len(blocks) == 1, "the walkthrough holds the whole service in one block"
    return blocks[0]


def load(tmp_path: Path) -> ModuleType:
    path = tmp_path / "servicedesk_notes.py"
    path.write_text(the_code())
    spec = importlib.util.spec_from_file_location("servicedesk_notes", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["servicedesk_notes"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_the_service_is_under_100_lines() -> None:
    assert len(the_code().splitlines()) < 100


@pytest.fixture
async def notes(tmp_path: Path) -> AsyncIterator[tuple[ModuleType, httpx.AsyncClient]]:
    module = load(tmp_path)
    async with (
        throwaway_database("desk_notes_test", None) as url,
        revocation_prefix("desk-notes") as prefix,
    ):
        settings = module.Settings(
            database_url=url, redis_key_prefix=prefix, jwt_secret_keys=TEST_KEY
        )
        app = module.create_app(settings)
        async with LifespanManager(app):
            async with app.state.runtime.engine.begin() as conn:  # a migration's job
                await conn.run_sync(module.Base.metadata.create_all)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://notes") as c:
                yield module, c


def bearer(module: ModuleType, sub: str) -> dict[str, str]:
    settings = module.Settings(jwt_secret_keys=TEST_KEY)
    return {"Authorization": f"Bearer {make_access_token(settings.token_settings, sub=sub)}"}


async def test_a_user_keeps_private_notes(notes) -> None:
    module, client = notes
    ada, bob = str(uuid.uuid4()), str(uuid.uuid4())
    added = await client.post("/api/notes", json={"text": "buy toner"}, headers=bearer(module, ada))
    assert added.status_code == 201, added.text
    assert added.json()["text"] == "buy toner" and added.json()["id"] > 0
    mine = await client.get("/api/notes", headers=bearer(module, ada))
    assert [n["text"] for n in mine.json()] == ["buy toner"]
    assert (await client.get("/api/notes", headers=bearer(module, bob))).json() == []


async def test_the_kit_guards_it(notes) -> None:
    module, client = notes
    anonymous = await client.get("/api/notes")
    assert anonymous.status_code == 401 and anonymous.json()["code"]
    forged = await client.get("/api/notes", headers={"Authorization": "Bearer x.y.z"})
    assert forged.status_code == 401
    empty = await client.post(
        "/api/notes", json={"text": ""}, headers=bearer(module, str(uuid.uuid4()))
    )
    assert empty.status_code == 422 and empty.headers["content-type"] == "application/json"
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["dependencies"] == {"database": "ok", "redis": "ok"}
    assert "x-request-id" in (await client.get("/healthz")).headers
