"""Development tooling, installed in the dev venv and never in an image.

Modules: `devstack` (`make run` and the end-to-end tests: every service as local
processes, replicas), `devdeps` (a missing local PostgreSQL, Redis or RabbitMQ started
from the compose file), `testing` (test helpers: throw-away databases and vhosts, Redis
prefixes, tokens, `eventually`, `acked`). Runtime code never imports it.
"""
