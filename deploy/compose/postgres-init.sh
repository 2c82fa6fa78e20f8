#!/bin/bash
# One database and one login role per bounded context, each role owning only its own
# database (services never read each other's data). Run once by the postgres image, on an
# empty data volume (/docker-entrypoint-initdb.d); passwords come from the environment
# docker-compose.yml passes in (see .env.example). Changing a password later is an
# `ALTER ROLE ... PASSWORD` (docs/runbooks/backup-restore.md shows how to connect).
set -euo pipefail

create() {
    local role="$1" database="$2" password="$3"
    if [[ -z "$password" ]]; then
        echo "postgres-init: no password for $role; set it in .env" >&2
        exit 1
    fi
    # psql variables (:"name" quotes an identifier, :'name' a literal): no SQL injection
    # whatever the password contains.
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v role="$role" -v database="$database" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"database" OWNER :"role";
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
SQL
}

create desk_auth desk_auth "${AUTH_DB_PASSWORD:-}"
create desk_tickets desk_tickets "${TICKETS_DB_PASSWORD:-}"
create desk_notifications desk_notifications "${NOTIFICATIONS_DB_PASSWORD:-}"
create desk_ai_assist desk_ai_assist "${AI_ASSIST_DB_PASSWORD:-}"
