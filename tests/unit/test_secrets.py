"""warroom.system.secrets against a real in-memory keyring backend, the env override, no backend."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import keyring
import keyring.core
import pytest
from helpers.testkeyring import MemoryKeyring
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringLocked

from warroom.base.errors import ValidationError, WarroomError
from warroom.system import secrets

VALUE = "s3cr3t-Value-42"


@pytest.fixture
def mem(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    kr = MemoryKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", kr)
    return kr


@pytest.fixture
def no_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())


def test_set_get_list_delete_round_trip(mem: MemoryKeyring, data_dir: Path) -> None:
    secrets.set("mastodon-ops", VALUE, data_dir=data_dir)
    secrets.set("bsky-ops", "other", data_dir=data_dir)
    assert mem.entries[("warroom", "mastodon-ops")] == VALUE
    assert secrets.get("mastodon-ops") == VALUE
    assert secrets.list_names(data_dir) == ["bsky-ops", "mastodon-ops"]
    assert secrets.delete("mastodon-ops", data_dir=data_dir) is True
    assert secrets.get("mastodon-ops") is None
    assert secrets.list_names(data_dir) == ["bsky-ops"]
    assert secrets.delete("mastodon-ops", data_dir=data_dir) is False


def test_index_holds_names_never_values(mem: MemoryKeyring, data_dir: Path) -> None:
    secrets.set("feed", VALUE, data_dir=data_dir)
    text = (data_dir / secrets.INDEX_NAME).read_text("utf-8")
    assert json.loads(text)["names"] == ["feed"]
    assert VALUE not in text


def test_value_never_logged(
    mem: MemoryKeyring, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets.set("feed", VALUE, data_dir=data_dir)
    secrets.get("feed")
    secrets.delete("feed", data_dir=data_dir)
    assert "feed" in caplog.text
    assert VALUE not in caplog.text


def test_env_override_wins(
    mem: MemoryKeyring, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets.set("mastodon-ops", VALUE, data_dir=data_dir)
    monkeypatch.setenv("WARROOM_SECRET_MASTODON_OPS", "from-env")
    assert secrets.get("mastodon-ops") == "from-env"
    assert secrets.env_overrides() == ["WARROOM_SECRET_MASTODON_OPS"]


def test_env_var_name_mapping() -> None:
    assert secrets.env_var("mastodon-ops") == "WARROOM_SECRET_MASTODON_OPS"
    assert secrets.env_var("a.b@c") == "WARROOM_SECRET_A_B_C"


def test_env_override_works_without_backend(
    no_backend: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARROOM_SECRET_BSKY_OPS", "app-pw")
    assert secrets.get("bsky-ops") == "app-pw"
    assert secrets.get("other") is None


def test_no_backend_reported_and_set_refused(no_backend: None, data_dir: Path) -> None:
    status = secrets.backend_status()
    assert status.usable is False
    assert status.name == "keyring.backends.fail.Keyring"
    assert "WARROOM_SECRET_" in status.detail
    with pytest.raises(secrets.SecretsUnavailable) as err:
        secrets.set("feed", VALUE, data_dir=data_dir)
    assert VALUE not in str(err.value)
    assert "no plaintext fallback" in str(err.value)
    # Nothing was written anywhere: no index, no other file holding the value.
    assert list(data_dir.iterdir()) == []
    assert secrets.get("feed") is None


def test_null_backend_is_not_usable(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", null.Keyring())
    assert secrets.backend_status().usable is False
    with pytest.raises(secrets.SecretsUnavailable):
        secrets.set("feed", VALUE, data_dir=data_dir)


def test_empty_chain_is_not_usable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    monkeypatch.setattr(keyring.core, "_keyring_backend", chainer.ChainerBackend())
    status = secrets.backend_status()
    assert status.usable is False
    assert "chain is empty" in status.detail


def test_chain_with_a_backend_is_usable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [MemoryKeyring()])
    monkeypatch.setattr(keyring.core, "_keyring_backend", chainer.ChainerBackend())
    assert secrets.backend_status().usable is True


def test_usable_backend_status(mem: MemoryKeyring) -> None:
    status = secrets.backend_status()
    assert status.usable is True
    assert status.name.endswith("MemoryKeyring")


def test_locked_keyring_gives_one_line_without_value(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    class Locked(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise KeyringLocked("the collection is locked")

    monkeypatch.setattr(keyring.core, "_keyring_backend", Locked())
    with pytest.raises(secrets.SecretsUnavailable) as err:
        secrets.set("feed", VALUE, data_dir=data_dir)
    msg = str(err.value)
    assert "locked" in msg and "\n" not in msg and VALUE not in msg
    assert secrets.list_names(data_dir) == []


@pytest.mark.parametrize("bad", ["", "-x", "a b", "x/y", "é", "a" * 101])
def test_bad_names_refused(mem: MemoryKeyring, data_dir: Path, bad: str) -> None:
    with pytest.raises(ValidationError):
        secrets.set(bad, VALUE, data_dir=data_dir)
    assert mem.entries == {}


def test_empty_value_refused(mem: MemoryKeyring, data_dir: Path) -> None:
    with pytest.raises(ValidationError):
        secrets.set("feed", "", data_dir=data_dir)
    assert mem.entries == {}


def test_unwritable_data_dir_stores_nothing(mem: MemoryKeyring, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a dir")
    with pytest.raises(WarroomError):
        secrets.set("feed", VALUE, data_dir=blocker / "ws")
    assert mem.entries == {}


def test_damaged_index_is_an_error_not_a_reset(mem: MemoryKeyring, data_dir: Path) -> None:
    (data_dir / secrets.INDEX_NAME).write_text("{not json")
    with pytest.raises(WarroomError, match="secrets index"):
        secrets.list_names(data_dir)
    with pytest.raises(WarroomError):
        secrets.set("feed", VALUE, data_dir=data_dir)
    assert (data_dir / secrets.INDEX_NAME).read_text() == "{not json"


def test_backend_that_fails_to_load_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise RuntimeError("Unable to initialize SecretService: no D-Bus session")

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.setattr(keyring.core, "init_backend", broken)
    status = secrets.backend_status()
    assert status.usable is False and status.name == "none"
    assert "D-Bus" in status.detail and "WARROOM_SECRET_" in status.detail
    assert secrets.get("feed") is None


def test_set_with_a_backend_that_fails_to_load(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    def broken() -> None:
        raise RuntimeError("no D-Bus session")

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.setattr(keyring.core, "init_backend", broken)
    with pytest.raises(secrets.SecretsUnavailable, match="D-Bus"):
        secrets.set("feed", VALUE, data_dir=data_dir)
    with pytest.raises(secrets.SecretsUnavailable):
        secrets.delete("feed", data_dir=data_dir)
