"""Where the refresh finds tickets, ai-assist and Redis, and the keys it presents, from the
environment (the variables the services and `make run` already use):

| what            | from                                                                   |
|-----------------|------------------------------------------------------------------------|
| tickets         | `TICKETS_URL` (the first of a comma list), else 127.0.0.1:$TICKETS_PORT |
| its key         | `TICKETS_API_KEY`, else the first of `TICKETS_API_KEYS`, else the       |
|                 | development key `make run` generated (.devstack/tickets-api-key)        |
| ai-assist       | `AI_ASSIST_URL` (the first of a comma list), else 127.0.0.1:$AI_ASSIST_PORT |
| its key         | `AI_ASSIST_API_KEY`, else the first of `AI_ASSIST_API_KEYS`, else        |
|                 | .devstack/ai-api-key                                                    |
| Redis           | `REDIS_URL` (redis://127.0.0.1:6379/0), keys under `REDIS_KEY_PREFIX`    |
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# tools/refresh/src/servicedesk_refresh/config.py -> the repository root.
ROOT = Path(__file__).resolve().parents[4]
DEV_KEYS = ROOT / ".devstack"


@dataclass(frozen=True)
class Upstream:
    url: str
    key: str | None


@dataclass(frozen=True)
class Config:
    tickets: Upstream
    ai_assist: Upstream
    redis_url: str
    prefix: str


def upstream(env: dict[str, str], name: str, default_port: int, dev_key: str) -> Upstream:
    """`<NAME>_URL`'s first entry or 127.0.0.1:`<NAME>_PORT`; the key as the table says."""
    url = env.get(f"{name}_URL", "").split(",")[0].strip()
    port = env.get(f"{name}_PORT") or str(default_port)
    return Upstream(url or f"http://127.0.0.1:{port}", api_key(env, name, DEV_KEYS / dev_key))


def api_key(env: dict[str, str], name: str, dev_file: Path) -> str | None:
    if env.get(f"{name}_API_KEY"):
        return env[f"{name}_API_KEY"]
    keys = [k.strip() for k in env.get(f"{name}_API_KEYS", "").split(",") if k.strip()]
    if keys:
        return keys[0]
    if not dev_file.exists():
        return None
    return dev_file.read_text().strip() or None


def from_env(env: dict[str, str]) -> Config:
    return Config(
        tickets=upstream(env, "TICKETS", 8002, "tickets-api-key"),
        ai_assist=upstream(env, "AI_ASSIST", 8004, "ai-api-key"),
        redis_url=env.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        prefix=env.get("REDIS_KEY_PREFIX", "desk:"),
    )
