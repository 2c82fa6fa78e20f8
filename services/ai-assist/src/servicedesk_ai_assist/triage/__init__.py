"""Background triage: `ticket.created` in, `ai.triage.suggested` out (suggested or failed)."""
