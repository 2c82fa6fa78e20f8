"""The e-mail channel: a pending row per message, sent over SMTP in the background."""
