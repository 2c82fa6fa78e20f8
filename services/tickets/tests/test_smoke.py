async def test_create_and_read(api):
    ticket = await api.create()
    assert ticket["status"] == "open"
    r = await api.call("user_a", "GET", f"/api/tickets/{ticket['id']}")
    assert r.status_code == 200, r.text
    r = await api.call("user_a", "GET", "/api/tickets?q=printer")
    assert r.json()["total"] == 1, r.text
