"""`GET /api/users` (issue 13): search by name or e-mail, newest first, sortable; unknown
sort keys and parameters refused with 422 naming them."""

from __future__ import annotations

import pytest

from servicedesk_devtools.testing import unique


async def listed(client, pair, bearer, query: str) -> list[dict]:
    response = await client.get(f"/api/users?{query}", headers=bearer(pair))
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def three_users(client, api, bearer, tag: str) -> list[dict]:
    """Signed up in this order: "c…", "a…", "b…" (names unlike the sign-up order)."""
    users = []
    for letter in "cab":
        user = await api.register(f"{letter}{tag}")
        users.append(user)
    return users


async def test_newest_first_by_default_and_searchable_by_name_or_email(client, api, bearer):
    tag = unique("lst").replace("-", "_")
    users = await three_users(client, api, bearer, tag)
    admin = await api.admin()
    found = await listed(client, admin, bearer, f"q={tag}")
    assert [u["id"] for u in found] == [u["id"] for u in users[::-1]]
    by_mail = await listed(client, admin, bearer, f"q=a{tag}@example")
    assert [u["username"] for u in by_mail] == [f"a{tag}"]


async def test_display_names_are_searched_and_sorted(client, api, bearer):
    tag = unique("dn").replace("-", "_")
    users = await three_users(client, api, bearer, tag)
    user, pair = users[0], await api.login(users[0]["username"])
    response = await client.patch(
        "/api/users/me", json={"display_name": f"Aardvark {tag}"}, headers=bearer(pair)
    )
    assert response.status_code == 200
    admin = await api.admin()
    found = await listed(client, admin, bearer, f"q=aardvark {tag}")
    assert [u["id"] for u in found] == [user["id"]]
    names = [
        u["display_name"] for u in await listed(client, admin, bearer, f"q={tag}&sort=display_name")
    ]
    assert names == [f"Aardvark {tag}", f"a{tag}", f"b{tag}"]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("created_at", "cab"),
        ("-created_at", "bac"),
        ("username", "abc"),
        ("-username", "cba"),
        ("email", "abc"),
        ("-display_name", "cba"),
    ],
)
async def test_sort_keys(client, api, bearer, sort, order):
    tag = unique("srt").replace("-", "_")
    await three_users(client, api, bearer, tag)
    admin = await api.admin()
    found = await listed(client, admin, bearer, f"q={tag}&sort={sort}")
    assert "".join(u["username"][0] for u in found) == order


@pytest.mark.parametrize("sort", ["password_hash", "-is_admin", "id", "", "username,email"])
async def test_an_unknown_sort_key_is_422_naming_it(client, api, bearer, sort):
    admin = await api.admin()
    response = await client.get("/api/users", params={"sort": sort}, headers=bearer(admin))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["loc"] == ["query", "sort"]


async def test_the_422_names_the_unknown_key(client, api, bearer):
    admin = await api.admin()
    response = await client.get("/api/users?sort=password_hash", headers=bearer(admin))
    assert "'password_hash'" in response.json()["errors"][0]["msg"]


async def test_unknown_parameters_are_422_naming_each(client, api, bearer):
    admin = await api.admin()
    response = await client.get("/api/users?role=admin&is_admin=true", headers=bearer(admin))
    assert response.status_code == 422
    assert sorted(e["loc"][-1] for e in response.json()["errors"]) == ["is_admin", "role"]


async def test_plain_users_still_may_not_list(client, api, bearer):
    _, pair = await api.signed_in()
    assert (await client.get("/api/users?sort=username", headers=bearer(pair))).status_code == 403
