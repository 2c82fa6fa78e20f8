"""`tokens.Remembered`: a token checked once, remembered until its `exp`, never a refusal."""

import time

import pytest

from servicedesk_shared import tokens


class Checker:
    def __init__(self, exp_in: float) -> None:
        self.calls: list[str] = []
        self.exp_in = exp_in

    def __call__(self, token: str) -> dict:
        self.calls.append(token)
        if token.startswith("bad"):
            raise tokens.InvalidToken("signature")
        return {"sub": token, "exp": time.time() + self.exp_in}


def test_a_good_token_is_checked_once_and_answered_from_memory():
    check = Checker(exp_in=60)
    remembered = tokens.Remembered(check, expiry=lambda claims: claims["exp"])
    first = remembered("good")
    assert remembered("good") is first
    assert check.calls == ["good"]


def test_a_refused_token_is_never_remembered():
    check = Checker(exp_in=60)
    remembered = tokens.Remembered(check, expiry=lambda claims: claims["exp"])
    for _ in range(2):
        with pytest.raises(tokens.InvalidToken):
            remembered("bad-signature")
    assert check.calls == ["bad-signature", "bad-signature"]
    assert remembered.known == {}


def test_past_its_expiry_a_token_is_checked_again():
    check = Checker(exp_in=-1)  # already expired when remembered
    remembered = tokens.Remembered(check, expiry=lambda claims: claims["exp"])
    remembered("good")
    remembered("good")
    assert check.calls == ["good", "good"]


def test_the_memory_is_bounded():
    check = Checker(exp_in=60)
    remembered = tokens.Remembered(check, expiry=lambda claims: claims["exp"], kept=3)
    for n in range(10):
        remembered(f"good-{n}")
    assert len(remembered.known) <= 3
