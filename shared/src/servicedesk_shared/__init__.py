"""The service desk's own small library, shared by every service and the gateway.

Modules: `settings` (pydantic-settings base), `logging` (JSON logs with the request id),
`requestid` (ASGI middleware), `errors` (base error tree and the JSON error handler),
`tokens` (HS256 key ring, issue and verify), `db` (engine, sessions, database creation,
migrations), `observability` (/healthz, /readyz, /metrics), `startup` (one-line dependency
checks), `devstack` (what `make run` and the end-to-end tests use to run every service).
"""
