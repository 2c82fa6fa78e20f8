"""Arguments, the environment, and what is printed (contract §9's summary block)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from servicedesk_refresh import config
from servicedesk_refresh.cli import parse_args
from servicedesk_refresh.output import Progress, footer, redacted
from servicedesk_refresh.refresher import Summary
from servicedesk_refresh.tickets import Ticket


def test_defaults_are_the_contracts() -> None:
    options = parse_args([])
    assert (options.max_concurrency, options.max_retries, options.dry_run) == (5, 3, False)
    assert options.system is None and options.since is None


@pytest.mark.parametrize(
    "argv",
    [
        ["--max-concurrency", "0"],
        ["--max-retries", "-1"],
        ["--since", "yesterday"],
        ["--since", "0001-01-01T00:00:00+01:00"],
    ],
)
def test_bad_arguments_exit_2_with_a_message(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        parse_args(argv)
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_since_is_an_instant_in_utc() -> None:
    since = parse_args(["--since", "2026-11-01T09:30:00+02:00"]).since
    assert since == datetime(2026, 11, 1, 7, 30, tzinfo=UTC)
    assert since.tzinfo is UTC
    assert parse_args(["--since", "2026-11-01"]).since.tzinfo is UTC  # local midnight


def test_passwords_never_print() -> None:
    assert redacted("redis://:s3cret@cache:6379/0") == "redis://***@cache:6379/0"
    assert redacted("redis://u:s3cret@cache/0") == "redis://u:***@cache/0"
    assert redacted("redis://localhost:6379/0") == "redis://localhost:6379/0"


def test_the_summary_block_is_the_seeds() -> None:
    summary = Summary(total=3, processed=0, skipped=3, errors=0)
    assert footer(summary) == (
        "\nSummary:\n  Total: 3\n  Processed: 0\n  Skipped (idempotent): 3\n  Errors: 0\n"
        + "=" * 50
    )


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def ticket(ticket_id: int, error: str | None = None) -> Ticket:
    return Ticket(ticket_id, "t", "d", datetime(2026, 1, 1, tzinfo=UTC), error)


def test_a_bar_on_a_terminal_lines_otherwise() -> None:
    tty = Tty()
    bar = Progress(2, tty, dry_run=False)
    bar("processed", ticket(7))
    bar("skipped", ticket(7))
    assert tty.getvalue() == "\r[" + "#" * 15 + "-" * 15 + "] 1/2\r[" + "#" * 30 + "] 2/2\n"
    plain = io.StringIO()
    lines = Progress(3, plain, dry_run=True)
    lines("processed", ticket(7))
    lines("skipped", ticket(9))
    lines("error", ticket(8, "boom"))
    assert plain.getvalue() == (
        "Ticket 7: would process\nTicket 9: skipped (idempotent)\nTicket 8: error: boom\n"
    )


def test_urls_are_the_first_of_a_list_else_the_local_port() -> None:
    cfg = config.from_env(
        {
            "TICKETS_URL": " http://t1:8002 , http://t2:8002",
            "AI_ASSIST_PORT": "9004",
            "TICKETS_API_KEY": "k",
            "AI_ASSIST_API_KEY": "a",
        }
    )
    assert (cfg.tickets.url, cfg.ai_assist.url) == ("http://t1:8002", "http://127.0.0.1:9004")
    assert config.from_env({}).tickets.url == "http://127.0.0.1:8002"
    assert config.from_env({"TICKETS_PORT": "18002"}).tickets.url == "http://127.0.0.1:18002"
    assert (cfg.redis_url, cfg.prefix) == ("redis://127.0.0.1:6379/0", "desk:")


def test_a_key_is_the_named_one_else_the_first_of_the_list_else_make_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "DEV_KEYS", tmp_path)
    env = {"TICKETS_API_KEY": "one", "TICKETS_API_KEYS": "two,three"}
    assert config.from_env(env).tickets.key == "one"
    assert config.from_env({"TICKETS_API_KEYS": " , two,three"}).tickets.key == "two"
    assert config.from_env({}).tickets.key is None
    (tmp_path / "tickets-api-key").write_text("dev-tickets\n")
    (tmp_path / "ai-api-key").write_text("dev-ai\n")
    cfg = config.from_env({})
    assert (cfg.tickets.key, cfg.ai_assist.key) == ("dev-tickets", "dev-ai")
