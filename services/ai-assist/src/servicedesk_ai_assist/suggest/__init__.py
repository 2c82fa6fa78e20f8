"""Suggestions while filing: `POST /api/ai/suggest`."""
