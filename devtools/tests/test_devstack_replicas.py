"""`DESK_REPLICAS=N`: which processes the dev stack runs, on which ports, and what the
gateway is told about them."""

from __future__ import annotations

import pytest

from servicedesk_devtools import devstack


def _names(env: dict[str, str]) -> dict[str, int]:
    return {r.name: r.port for r in devstack.replicas(env)}


def test_one_replica_is_the_contract_topology() -> None:
    ports = _names({})
    assert ports["auth"] == 8001 and ports["tickets"] == 8002 and ports["gateway"] == 8000
    assert not any("-" in name.removeprefix("ai-assist") for name in ports)


def test_replicas_take_port_plus_100_and_the_gateway_stays_alone() -> None:
    ports = _names({"DESK_REPLICAS": "3", "TICKETS_PORT": "9002"})
    assert [ports["tickets"], ports["tickets-2"], ports["tickets-3"]] == [9002, 9102, 9202]
    assert [ports["auth"], ports["auth-2"], ports["auth-3"]] == [8001, 8101, 8201]
    assert "gateway-2" not in ports


def test_the_gateway_gets_every_upstream_list_unless_one_is_set() -> None:
    env = {"DESK_REPLICAS": "2", "AUTH_URL": "http://auth.example:1"}
    stack = devstack.Stack(env)
    gateway = devstack.replica_env(stack.replicas["gateway"], env)
    assert gateway["TICKETS_URL"] == "http://127.0.0.1:8002,http://127.0.0.1:8102"
    assert gateway["AI_ASSIST_URL"] == "http://127.0.0.1:8004,http://127.0.0.1:8104"
    assert gateway["AUTH_URL"] == "http://auth.example:1"
    second = devstack.replica_env(stack.replicas["tickets-2"], env)
    assert second["TICKETS_PORT"] == "8102" and "TICKETS_URL" not in second


@pytest.mark.parametrize("raw", ["0", "ten", "-1", "10"])
def test_a_bad_replica_count_is_one_clear_error(raw: str) -> None:
    with pytest.raises(ValueError, match="DESK_REPLICAS must be a whole number"):
        devstack.replica_count({"DESK_REPLICAS": raw})


def test_make_run_refuses_a_bad_count_in_one_line(monkeypatch, capsys) -> None:
    monkeypatch.setenv("DESK_REPLICAS", "many")
    assert devstack.run() == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "DESK_REPLICAS" in err
