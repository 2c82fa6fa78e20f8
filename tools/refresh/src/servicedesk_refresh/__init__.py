"""The batch AI refresh (contract §9): re-run triage for the open tickets, idempotent per
ticket version, over HTTP only (tickets' `GET /internal/tickets`, ai-assist's
`POST /internal/triage`) and Redis. Entry point: `servicedesk_refresh.cli.main`."""
