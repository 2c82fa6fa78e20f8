"""Placeholder secrets: accepted in development only, refused in test and production."""

import pytest

from servicedesk_shared.settings import BaseServiceSettings, is_placeholder, refuse_placeholder_keys

REAL = "q7Vd2pLx9TzR4mWc8YbN1kHs6JfG3aEu"


@pytest.mark.parametrize("environment", ["test", "production"])
@pytest.mark.parametrize(
    "secret", ["changeme", "secret", "short-but-random-Xq7", "changeme-" * 4, REAL[:31]]
)
def test_placeholder_signing_keys_are_refused_outside_development(environment, secret):
    with pytest.raises(ValueError, match=f"JWT_SECRET_KEYS key 'k1'.*DESK_ENV={environment}"):
        BaseServiceSettings(environment=environment, jwt_secret_keys=f"k2:{REAL},k1:{secret}")


def test_development_accepts_a_placeholder_signing_key():
    settings = BaseServiceSettings(environment="development", jwt_secret_keys="k1:changeme")
    assert settings.keyring.signing_key == "changeme"


@pytest.mark.parametrize("environment", ["test", "production"])
def test_a_real_signing_key_is_accepted_everywhere(environment):
    settings = BaseServiceSettings(environment=environment, jwt_secret_keys=f"k1:{REAL}")
    assert settings.keyring.signing_kid == "k1"


def test_the_check_serves_any_key_variable():
    assert is_placeholder("Placeholder-value-that-is-long-enough-to-pass")
    assert not is_placeholder(REAL)
    with pytest.raises(ValueError, match="AUTH_TOTP_ENCRYPTION_KEYS key 'a'"):
        refuse_placeholder_keys("AUTH_TOTP_ENCRYPTION_KEYS", {"a": "password"}, "test")
