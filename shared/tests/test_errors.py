"""A service declares each error on one line; the shared handlers answer them all alike."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from servicedesk_shared.errors import (
    Conflict,
    NotFound,
    ServiceError,
    Unauthorized,
    install_error_handlers,
)


class ThingNotFound(NotFound, detail="Thing not found"): ...


class ThingTaken(Conflict, code="thing_taken", detail="The thing is taken"): ...


class Kept(ThingTaken, keep_changes=True): ...


class Teapot(ServiceError, status=418, code="teapot", detail="I am a teapot"): ...


def test_class_keywords_set_what_they_name_and_inherit_the_rest() -> None:
    assert (ThingNotFound.status_code, ThingNotFound.code) == (404, "not_found")
    assert ThingNotFound.detail == "Thing not found"
    assert (ThingTaken.status_code, ThingTaken.code) == (409, "thing_taken")
    assert (Kept.code, Kept.detail, Kept.keep_changes) == ("thing_taken", ThingTaken.detail, True)
    assert ThingTaken.keep_changes is False and NotFound.detail == "Not found"
    assert Unauthorized().headers == {"WWW-Authenticate": "Bearer"}


async def test_the_handlers_answer_a_declared_error_as_json() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/thing")
    async def thing() -> None:
        raise ThingTaken

    @app.get("/teapot")
    async def teapot() -> None:
        raise Teapot("Short and stout")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        taken, pot = await client.get("/thing"), await client.get("/teapot")
    assert taken.status_code == 409
    assert taken.json() == {"detail": "The thing is taken", "code": "thing_taken"}
    assert (pot.status_code, pot.json()) == (418, {"detail": "Short and stout", "code": "teapot"})
