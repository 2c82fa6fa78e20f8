"""The auth service: users, passwords, tokens, roles per system and TOTP.

Domain folders (`users`, `sessions`, `roles`, `mfa`, `passwords`, `outbox`) each hold
`models.py`, `schemas.py`, `service.py` and `router.py` where they have them; `main.py`
wires them into `create_app(settings)`.
"""
