"""The service desk's own small library, shared by every service and the gateway.

Modules: `settings` (pydantic-settings base), `logging` (JSON logs with the request id),
`requestid` (ASGI middleware), `errors` (base error tree and the JSON error handler),
`tokens` (HS256 key ring, issue and verify), `db` (engine, sessions, database creation,
migrations), `observability` (/healthz, /readyz, /metrics), `startup` (one-line dependency
checks), `topology` (each process's name, import name, port and database).
The service kit each service builds its main.py and deps.py from: `serving` (run_service,
install_service_layers), `runtime` (ServiceRuntime: settings, engine, sessions, Redis and
their readiness checks), `transaction` (the request's one transaction and its
before-commit, after-commit and rollback hooks), `deps` (get_runtime, SessionDep,
CurrentPrincipal and the API-key check).
The dev tooling (`make run`, dependency start-up, test helpers) is `servicedesk_devtools`,
never installed in an image.
"""
