"""`ai.triage.suggested` events, written in the same transaction as the inbox row."""
