# syntax=docker/dockerfile:1
# check=skip=InvalidDefaultArgInFrom
# Every service's image, from this one file: SERVICE names the workspace member (auth,
# tickets, notifications, ai-assist, gateway). Build from the repository root (the uv
# workspace is the context):
#   docker build --build-arg SERVICE=auth -t servicedesk/auth .
#
# uv's documented workspace pattern (docs.astral.sh/uv/guides/integration/docker/):
# third-party dependencies first, in a layer of their own (`--no-install-workspace`), then
# the member and `shared`; `--frozen` installs exactly uv.lock, `--no-dev` leaves the dev
# group (pytest, ruff, ...) out, `--package` installs the member and nothing it does not
# need. The runtime stage gets the virtualenv and the sources, runs as an unprivileged user.
#
# What differs between the services is in one table, the `service-<name>` stages: where
# the member lives, its settings, port and command. `FROM service-${SERVICE}` picks a row
# (a build argument can name a stage only in FROM: github.com/moby/buildkit/issues/2374),
# and BuildKit builds only the stages the chosen image needs: only the gateway builds the
# web UI.
#
# Migrations (compose's <name>-migrate, the Kubernetes Jobs) run in the service's image:
#   alembic -c services/<name>/alembic.ini upgrade head

ARG PYTHON_VERSION=3.11
# Required, no default: an image that does not say which service it is would be a guess.
# (Hence the check skipped above, which warns about an ARG in FROM without a default.)
ARG SERVICE

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

# The web UI (frontend/, React + Vite), built to static files the gateway serves at `/`.
FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY frontend/package.json frontend/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM python:${PYTHON_VERSION}-slim-bookworm AS base
RUN groupadd --system --gid 10001 desk \
    && useradd --system --uid 10001 --gid desk --home-dir /nonexistent --shell /usr/sbin/nologin desk

# The table. DESK_MEMBER: the member's folder (the builder copies it). DESK_PORT_VAR: the
# setting that holds the port (the healthcheck reads it, so an overridden port is checked).
FROM base AS service-auth
ENV DESK_MEMBER=services/auth DESK_PORT_VAR=AUTH_PORT \
    AUTH_HOST=0.0.0.0 AUTH_PORT=8001
EXPOSE 8001
CMD ["python", "-m", "servicedesk_auth"]

FROM base AS service-tickets
# Attachments live in /data/attachments: mount a volume there.
RUN mkdir -p /data/attachments && chown desk:desk /data/attachments
ENV DESK_MEMBER=services/tickets DESK_PORT_VAR=TICKETS_PORT \
    TICKETS_HOST=0.0.0.0 TICKETS_PORT=8002 TICKETS_ATTACHMENTS_DIR=/data/attachments
EXPOSE 8002
CMD ["python", "-m", "servicedesk_tickets"]

FROM base AS service-notifications
ENV DESK_MEMBER=services/notifications DESK_PORT_VAR=NOTIFICATIONS_PORT \
    NOTIFICATIONS_HOST=0.0.0.0 NOTIFICATIONS_PORT=8003
EXPOSE 8003
CMD ["python", "-m", "servicedesk_notifications"]

FROM base AS service-ai-assist
ENV DESK_MEMBER=services/ai-assist DESK_PORT_VAR=AI_ASSIST_PORT \
    AI_ASSIST_HOST=0.0.0.0 AI_ASSIST_PORT=8004
EXPOSE 8004
CMD ["python", "-m", "servicedesk_ai_assist"]

# Prometheus scrapes GATEWAY_METRICS_PORT (9000), never published: the public port has no
# /metrics.
FROM base AS service-gateway
ENV DESK_MEMBER=gateway DESK_PORT_VAR=GATEWAY_PORT \
    GATEWAY_HOST=0.0.0.0 GATEWAY_PORT=8000 GATEWAY_WEB_DIR=/app/frontend/dist \
    GATEWAY_METRICS_HOST=0.0.0.0 GATEWAY_METRICS_PORT=9000
EXPOSE 8000 9000
CMD ["python", "-m", "servicedesk_gateway"]

FROM service-${SERVICE} AS builder
ARG SERVICE
COPY --from=uv /uv /uvx /bin/
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/pyproject.toml
COPY ${DESK_MEMBER}/pyproject.toml ${DESK_MEMBER}/pyproject.toml
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package servicedesk-${SERVICE}
COPY shared/ shared/
COPY ${DESK_MEMBER}/ ${DESK_MEMBER}/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package servicedesk-${SERVICE}
# The workspace members are installed editable: compile their sources now, since the
# runtime user cannot write __pycache__ next to them.
RUN python -m compileall -q shared/src ${DESK_MEMBER}/src

FROM service-${SERVICE} AS runtime
# Owned by root, read-only for the service: the code cannot be rewritten at run time.
COPY --from=builder /app /app
WORKDIR /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
USER 10001:10001
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ[os.environ['DESK_PORT_VAR']], timeout=2)"]

# The gateway's image also holds the web UI (owned by root, like the code); the others are
# the runtime as it is.
FROM runtime AS image-gateway
COPY --from=web /web/dist /app/frontend/dist
FROM runtime AS image-auth
FROM runtime AS image-tickets
FROM runtime AS image-notifications
FROM runtime AS image-ai-assist

FROM image-${SERVICE}
ARG SERVICE
LABEL org.opencontainers.image.title="servicedesk-${SERVICE}"
