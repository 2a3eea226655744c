"""The only code that touches credentials: a small interface over ``keyring``.

Secrets live in the system keyring under the service ``warroom``. For automation an
environment variable ``WARROOM_SECRET_<NAME>`` (upper case, other characters as ``_``)
wins over the keyring. When no usable keyring backend exists (common on a headless
Linux box) ``backend_status()`` says so, ``get`` finds only environment overrides and
``set`` raises ``SecretsUnavailable``: there is deliberately no plaintext fallback.

keyring cannot list what it holds, so the *names* (never values) of the secrets set
through Warroom are kept in ``<data dir>/secrets-index.json``. Values never reach the
database, the log or an error message: every message here names the secret, not its
value.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.base.errors import ValidationError, WarroomError
from warroom.base.paths import resolve_data_dir

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE = "warroom"
ENV_PREFIX = "WARROOM_SECRET_"
INDEX_NAME = "secrets-index.json"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")


class SecretsUnavailable(WarroomError):
    """No usable keyring: the secret cannot be stored (and will not be, in plaintext)."""


@dataclass(frozen=True)
class BackendStatus:
    """What ``doctor`` and the GUI show about the keyring. ``detail`` is one line."""

    usable: bool
    name: str
    detail: str


def env_var(name: str) -> str:
    """``mastodon-ops`` -> ``WARROOM_SECRET_MASTODON_OPS``."""
    return ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", name.upper())


def check_name(name: str) -> str:
    if not _NAME_RE.match(name or ""):
        raise ValidationError(
            f"invalid secret name {name!r}: use 1-100 letters, digits, '.', '_', '-' or '@', "
            "starting with a letter or digit"
        )
    return name


# -- the backend -------------------------------------------------------------------


def _backend() -> KeyringBackend:
    import keyring

    return keyring.get_keyring()


def _backend_name(kr: object) -> str:
    cls = type(kr)
    return f"{cls.__module__}.{cls.__qualname__}"


def _usable(kr: KeyringBackend) -> tuple[bool, str]:
    """(usable, why) for a backend, without reading or writing any secret."""
    from keyring.backends import chainer, fail, null

    if isinstance(kr, fail.Keyring):
        return False, "no keyring backend is available (keyring chose its fail backend)"
    if isinstance(kr, null.Keyring):
        return False, "the keyring is disabled (null backend)"
    if isinstance(kr, chainer.ChainerBackend):
        try:
            inner = list(kr.backends)
        except Exception as exc:  # a backend's probe failing must not crash doctor
            return False, f"the keyring backends could not be probed: {type(exc).__name__}"
        if not inner:
            return False, "no keyring backend is available (the chain is empty)"
        return True, "chain of " + ", ".join(_backend_name(b) for b in inner)
    try:
        priority = float(kr.priority)
    except Exception as exc:
        return False, f"the backend is not usable here: {exc}"
    if priority <= 0:
        return False, f"the backend has priority {priority:g} (not usable)"
    return True, f"priority {priority:g}"


def backend_status() -> BackendStatus:
    """Can secrets be stored here? Never raises."""
    try:
        kr = _backend()
    except Exception as exc:
        name = "none"
        usable, why = False, f"keyring failed to load: {type(exc).__name__}: {exc}"
    else:
        name = _backend_name(kr)
        usable, why = _usable(kr)
    if not usable:
        why += (
            "; features that need a secret stay off until one is configured: install and "
            f"unlock a keyring (e.g. GNOME Keyring, KWallet) or set {ENV_PREFIX}<NAME>"
        )
    return BackendStatus(usable, name, why)


def _require_backend() -> KeyringBackend:
    try:
        kr = _backend()
    except Exception as exc:  # e.g. SecretService without a D-Bus session
        raise SecretsUnavailable(
            f"cannot store secrets: keyring failed to load ({type(exc).__name__}: {exc}); "
            f"pass the secret as {ENV_PREFIX}<NAME> in the environment instead"
        ) from exc
    usable, why = _usable(kr)
    if not usable:
        raise SecretsUnavailable(
            f"cannot store secrets: {why}. Install and unlock a system keyring, or pass the "
            f"secret as {ENV_PREFIX}<NAME> in the environment (no plaintext fallback)"
        )
    return kr


def _keyring_failure(action: str, name: str, exc: Exception) -> SecretsUnavailable:
    # The exception text comes from the backend, never from the value: safe to show.
    return SecretsUnavailable(f"cannot {action} secret {name!r} in the keyring: {exc}")


# -- the index of names --------------------------------------------------------------


def index_path(data_dir: Path | None = None) -> Path:
    return resolve_data_dir(data_dir) / INDEX_NAME


def _read_index(path: Path) -> list[str]:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise WarroomError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        data = json.loads(raw)
        names = data["names"]
    except (ValueError, KeyError, TypeError) as exc:
        raise WarroomError(f"{path} is not a Warroom secrets index; fix or remove it") from exc
    return sorted({n for n in names if isinstance(n, str)})


def _write_index(path: Path, names: list[str]) -> None:
    tmp = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"service": SERVICE, "names": sorted(dict.fromkeys(names))}
        tmp.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WarroomError(f"cannot write {path}: {exc.strerror}") from exc


def _check_index_writable(path: Path) -> None:
    """Fail before touching the keyring rather than store a secret nobody can list."""
    _read_index(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WarroomError(f"cannot create data dir {path.parent}: {exc.strerror}") from exc
    if not os.access(path.parent, os.W_OK):
        raise WarroomError(f"data dir {path.parent} is not writable")


# -- the interface ---------------------------------------------------------------------


def get(name: str) -> str | None:
    """The secret's value: environment override first, then the keyring; None if unset.

    None too when no keyring is usable (``backend_status()`` says why). A usable keyring
    that fails (locked, access denied) raises ``SecretsUnavailable``.
    """
    check_name(name)
    env = os.environ.get(env_var(name))
    if env:
        return env
    try:
        kr = _backend()
    except Exception:
        log.warning("keyring failed to load; secret %r unavailable", name)
        return None
    if not _usable(kr)[0]:
        return None
    import keyring.errors

    try:
        return kr.get_password(SERVICE, name)
    except keyring.errors.KeyringError as exc:
        raise _keyring_failure("read", name, exc) from exc


def set(name: str, value: str, *, data_dir: Path | None = None) -> None:
    """Store ``value`` in the keyring and record the name in the workspace's index."""
    check_name(name)
    if not value:
        raise ValidationError(f"refusing to store an empty value for secret {name!r}")
    path = index_path(data_dir)
    _check_index_writable(path)
    kr = _require_backend()
    import keyring.errors

    try:
        kr.set_password(SERVICE, name, value)
    except keyring.errors.KeyringError as exc:
        raise _keyring_failure("store", name, exc) from exc
    names = _read_index(path)
    if name not in names:
        _write_index(path, [*names, name])
    log.info("secret %r stored in %s", name, _backend_name(kr))


def delete(name: str, *, data_dir: Path | None = None) -> bool:
    """Remove the secret from the keyring and the index; False when it was not there."""
    check_name(name)
    path = index_path(data_dir)
    names = _read_index(path)
    kr = _require_backend()
    import keyring.errors

    found = True
    try:
        kr.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        found = False
    except keyring.errors.KeyringError as exc:
        raise _keyring_failure("delete", name, exc) from exc
    if name in names:
        _write_index(path, [n for n in names if n != name])
        found = True
    log.info("secret %r deleted", name)
    return found


def list_names(data_dir: Path | None = None) -> list[str]:
    """The names recorded by ``set`` in this workspace, sorted (never values)."""
    return _read_index(index_path(data_dir))


def env_overrides() -> list[str]:
    """The ``WARROOM_SECRET_*`` variables set in this environment (names only)."""
    return sorted(k for k, v in os.environ.items() if k.startswith(ENV_PREFIX) and v)
