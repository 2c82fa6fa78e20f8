"""Mask personal data before a ticket's text leaves for the model.

Card-like numbers (13 to 19 digits, spaces or dashes between), e-mail addresses and phone
numbers (7+ digits, optional +country code, common separators) become placeholders the
model can still reason about (`[card]`, `[email]`, `[phone]`). Cards go first: their
digits would otherwise read as a phone number.
"""

from __future__ import annotations

import re

CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PHONE = re.compile(r"(?<![\w+(])[+(]?\d[\d ().-]{5,}\d(?!\w)")


def mask_pii(text: str) -> str:
    text = CARD.sub("[card]", text)
    text = EMAIL.sub("[email]", text)
    return PHONE.sub(_phone, text)


def _phone(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group())
    return "[phone]" if digits >= 7 else match.group()
