"""`make run` fills in unset key rings with per-checkout development keys."""

from servicedesk_devtools import devstack


def test_unset_key_rings_get_development_keys_that_survive_a_restart(tmp_path, monkeypatch):
    monkeypatch.setattr(devstack, "DEV_KEY_FILE", tmp_path / "jwt-key")
    monkeypatch.setattr(devstack, "DEV_TOTP_KEY_FILE", tmp_path / "totp-key")
    first: dict[str, str] = {}
    devstack.dev_keys(first)
    again: dict[str, str] = {}
    devstack.dev_keys(again)
    assert first == again
    assert first["AUTH_TOTP_ENCRYPTION_KEYS"].startswith("dev:")
    assert first["AUTH_TOTP_ENCRYPTION_KEYS"] != first["JWT_SECRET_KEYS"]


def test_a_key_ring_that_is_set_is_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(devstack, "DEV_TOTP_KEY_FILE", tmp_path / "totp-key")
    env = {"JWT_SECRET_KEYS": "k:" + "x" * 40, "AUTH_TOTP_ENCRYPTION_KEYS": "t:" + "y" * 40}
    devstack.dev_keys(dict(env))
    assert not (tmp_path / "totp-key").exists()
