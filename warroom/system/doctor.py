"""``warroom doctor``: is this machine and this workspace fit for an incident?

Every check is Qt-free (the Qt platform is judged by ``platform_check``, which never
imports Qt: a missing xcb library would abort the process), changes nothing on disk
beyond SQLite's own ``-shm`` file, and never talks to the internet. Each check returns
one ``Check``; a check that crashes becomes an error line, never a traceback.
"""

from __future__ import annotations

import logging
import os
import platform
import shutil
import socket
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from warroom import __version__
from warroom.system import platform_check

log = logging.getLogger(__name__)

OK, WARN, ERROR = "ok", "warn", "error"
_RANK = {OK: 0, WARN: 1, ERROR: 2}
PING_GROUP_RANGE = Path("/proc/sys/net/ipv4/ping_group_range")


@dataclass
class Check:
    """One line of the report. ``advice`` says what to do about a warning or error."""

    name: str
    status: str
    summary: str
    advice: str | None = None
    data: Mapping[str, object] = field(default_factory=dict)  # JSON-ready facts

    def record(self) -> dict[str, object]:
        return {
            "check": self.name,
            "status": self.status,
            "summary": self.summary,
            "advice": self.advice,
            "data": self.data,
        }


def exit_code(checks: list[Check]) -> int:
    """0 fine, 1 warnings, 2 errors (Nagios-like, per CONTRACT.md)."""
    return max((_RANK[c.status] for c in checks), default=0)


def _size(n: int) -> str:
    f = float(n)
    for unit in ("B", "KB", "MB"):
        if f < 1024:
            return f"{n} B" if unit == "B" else f"{f:.1f} {unit}"
        f /= 1024
    return f"{f:.1f} GB"


# -- the checks --------------------------------------------------------------------


def check_python() -> Check:
    v = sys.version_info
    text = f"Python {platform.python_version()} ({platform.python_implementation()}) on "
    text += f"{platform.system() or sys.platform} {platform.machine()}; warroom {__version__}"
    frozen = bool(getattr(sys, "frozen", False))
    data = {"python": platform.python_version(), "warroom": __version__, "frozen": frozen}
    if v < (3, 11):
        return Check("python", ERROR, text, "Warroom needs Python 3.11 or newer", data)
    return Check("python", OK, text + (" (bundle)" if frozen else ""), data=data)


def check_qt() -> Check:
    """The PySide6 version, from the package itself: no Qt library is loaded."""
    try:
        import PySide6
    except ImportError as exc:
        return Check(
            "qt",
            ERROR,
            f"PySide6 is not importable: {exc}",
            "reinstall Warroom (pip install -e .) so that PySide6-Essentials is present",
        )
    version = getattr(PySide6, "__version__", "?")
    bug = platform_check.known_qt_bug(version)
    if bug is not None:
        return Check("qt", ERROR, f"PySide6 {version}", bug, data={"pyside6": version})
    return Check("qt", OK, f"PySide6 {version}", data={"pyside6": version})


def check_qt_platform() -> list[Check]:
    out = []
    report = platform_check.check_qt_platform()
    data: dict[str, object] = {
        "platform": report.platform,
        "missing_libs": list(report.missing_libs),
        "packages": {k: list(v) for k, v in report.packages.items()},
    }
    if report.ok:
        out.append(Check("qt-platform", OK, f"Qt can open a window ({report.platform})", data=data))
    else:
        has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        # Missing libraries on a desktop mean the window will not open: an error. Without
        # a display the command line still works: a warning.
        status = ERROR if report.missing_libs and has_display else WARN
        out.append(
            Check(
                "qt-platform",
                status,
                f"the window cannot open here: {report.problem}",
                report.advice,
                data,
            )
        )
    # The xcb libraries matter on any Linux desktop, even when this run is offscreen.
    if sys.platform.startswith("linux") and not report.missing_libs:
        xcb = platform_check.xcb_library_report()
        xdata = {
            "missing_libs": list(xcb.missing_libs),
            "packages": {k: list(v) for k, v in xcb.packages.items()},
            "plugin": str(xcb.plugin) if xcb.plugin else None,
        }
        if xcb.ok:
            what = "present" if xcb.plugin else "not checked (plugin not found)"
            out.append(Check("qt-xcb-libs", OK, f"xcb plugin libraries {what}", data=xdata))
        else:
            out.append(Check("qt-xcb-libs", WARN, str(xcb.problem), xcb.advice, xdata))
    return out


def check_data_dir(data_dir: Path) -> Check:
    from warroom.base.logsetup import log_path

    data = {"path": str(data_dir), "log": str(log_path(data_dir))}
    if data_dir.exists():
        if not data_dir.is_dir():
            return Check(
                "data-dir",
                ERROR,
                f"{data_dir} exists but is not a directory",
                "pass another --data-dir",
                data,
            )
        probe = data_dir / f".doctor-write-test-{os.getpid()}"
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            return Check(
                "data-dir",
                ERROR,
                f"{data_dir} is not writable: {exc.strerror}",
                "fix its permissions or pass another --data-dir",
                data,
            )
        return Check("data-dir", OK, f"{data_dir} (writable); log: {data['log']}", data=data)
    parent = data_dir.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.is_dir() and os.access(parent, os.W_OK):
        return Check("data-dir", OK, f"{data_dir} (created on first use)", data=data)
    return Check(
        "data-dir",
        ERROR,
        f"{data_dir} does not exist and cannot be created under {parent}",
        "pass a writable --data-dir",
        data,
    )


def check_database(data_dir: Path) -> Check:
    """Integrity, schema state and journal, read-only: doctor never migrates or repairs."""
    from warroom.base.paths import DB_NAME
    from warroom.store.db import inspect

    path = data_dir / DB_NAME
    data: dict[str, object] = {"path": str(path)}
    info = inspect(path)
    if not info.exists:
        return Check("database", OK, f"no database yet at {path} (created on first use)", data=data)
    if info.kind == "not-sqlite":
        advice = "move it away or pass another --data-dir; Warroom will not touch it"
        return Check("database", ERROR, str(info.problem), advice, data)
    if info.kind == "damaged":
        restore_hint = "restore a snapshot: warroom snapshot list; warroom snapshot restore NAME"
        return Check("database", ERROR, str(info.problem), restore_hint, data)
    if info.kind == "unreadable":
        return Check("database", ERROR, str(info.problem), data=data)
    journal = info.journal_mode
    data.update(
        size=info.size,
        journal_mode=journal,
        wal_size=info.wal_size,
        migrations_applied=len(info.applied),
        migrations_pending=list(info.pending),
        migrations_unknown=list(info.unknown),
    )
    summary = f"{path.name}: {_size(info.size)}, integrity ok, journal {journal}"
    if info.wal_size:
        summary += f" (WAL {_size(info.wal_size)})"
    if info.unknown:
        return Check(
            "database",
            ERROR,
            summary + f"; written by a newer Warroom (schema {info.unknown[-1]!r})",
            "upgrade Warroom to open this workspace",
            data,
        )
    if info.pending:
        summary += (
            f"; {len(info.pending)} migration(s) pending (applied at next open, after a backup)"
        )
    else:
        summary += f"; schema current ({len(info.applied)} migrations)"
    if journal.lower() != "wal":
        return Check(
            "database",
            WARN,
            summary,
            "not in WAL mode: readers may wait on writers (it is set again at next open)",
            data,
        )
    return Check("database", OK, summary, data=data)


def check_snapshots(data_dir: Path) -> Check:
    from warroom.store import snapshots

    snaps = snapshots.list_snapshots(data_dir)
    data = {"count": len(snaps), "dir": str(snapshots.snapshot_dir(data_dir))}
    if not snaps:
        return Check("snapshots", OK, "none yet (take one: warroom snapshot create)", data=data)
    newest = snaps[-1]
    data["newest"] = newest.name
    return Check(
        "snapshots", OK, f"{len(snaps)} kept, newest {newest.created_at} ({newest.name})", data=data
    )


def check_gui_lock(data_dir: Path) -> Check:
    from warroom.system.lockfile import is_gui_running

    running = data_dir.is_dir() and is_gui_running(data_dir)
    text = "a Warroom window has this workspace open" if running else "no window has it open"
    return Check("gui-lock", OK, text, data={"gui_running": running})


def check_keyring() -> Check:
    from warroom.system import secrets

    status = secrets.backend_status()
    env = secrets.env_overrides()
    data = {"usable": status.usable, "backend": status.name, "env_overrides": len(env)}
    note = f"; {len(env)} {secrets.ENV_PREFIX}* override(s) set" if env else ""
    if status.usable:
        return Check("keyring", OK, f"{status.name} ({status.detail}){note}", data=data)
    head, _, advice = status.detail.partition("; ")
    return Check("keyring", WARN, f"secrets unavailable: {head}{note}", advice or None, data)


def _loopback(family: int, host: str) -> str | None:
    """None if a TCP round trip over ``host`` works, else why not."""
    try:
        with socket.socket(family, socket.SOCK_STREAM) as srv:
            srv.settimeout(2)
            srv.bind((host, 0))
            srv.listen(1)
            port = srv.getsockname()[1]
            with socket.create_connection((host, port), timeout=2) as cli:
                conn, _ = srv.accept()
                with conn:
                    cli.sendall(b"warroom")
                    if conn.recv(16) != b"warroom":
                        return "data did not arrive"
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def check_loopback() -> Check:
    v4 = _loopback(socket.AF_INET, "127.0.0.1")
    v6 = _loopback(socket.AF_INET6, "::1") if socket.has_ipv6 else "no IPv6 support"
    data = {"ipv4": v4 is None, "ipv6": v6 is None}
    if v4:
        return Check(
            "loopback",
            ERROR,
            f"TCP over 127.0.0.1 fails: {v4}",
            "the network stack is broken or sandboxed; probes cannot work",
            data,
        )
    text = "TCP over 127.0.0.1 works; ::1 " + ("works" if v6 is None else f"unavailable ({v6})")
    return Check("loopback", OK, text, data=data)


def check_dns() -> Check:
    """The configured resolver, read from the system configuration; nothing is queried."""
    try:
        import dns.resolver
    except ImportError as exc:
        return Check("dns", ERROR, f"dnspython is not importable: {exc}", "reinstall Warroom")
    try:
        res = dns.resolver.Resolver(configure=True)
    except dns.resolver.NoResolverConfiguration:
        return Check(
            "dns",
            WARN,
            "no DNS resolver configured (no nameserver in the system configuration)",
            "targets by name fail via the system vantage; vantages with their own "
            "resolver = ... still work",
        )
    except Exception as exc:  # a malformed resolv.conf
        return Check("dns", WARN, f"the resolver configuration cannot be read: {exc}")
    servers = [str(s) for s in res.nameservers]
    if not servers:
        return Check("dns", WARN, "no DNS nameserver configured")
    return Check("dns", OK, "nameservers: " + ", ".join(servers), data={"nameservers": servers})


def _ping_group_range() -> tuple[int, int] | None:
    try:
        lo, hi = PING_GROUP_RANGE.read_text().split()
        return int(lo), int(hi)
    except (OSError, ValueError):
        return None


def check_icmp() -> Check:
    """How icmp:// checks will run: unprivileged socket, raw socket, or the ping program."""
    ping = shutil.which("ping")
    rng = _ping_group_range()
    data: dict[str, object] = {"ping": ping, "ping_group_range": list(rng) if rng else None}
    for kind, label in ((socket.SOCK_DGRAM, "unprivileged ICMP sockets"), (socket.SOCK_RAW, "")):
        try:
            socket.socket(socket.AF_INET, kind, socket.IPPROTO_ICMP).close()
        except OSError:
            continue
        data["method"] = "dgram" if kind == socket.SOCK_DGRAM else "raw"
        text = label or "raw ICMP sockets (running with privileges)"
        return Check(
            "icmp", OK, f"icmp checks use {text}; ping program: {ping or 'not found'}", data=data
        )
    gid_note = (
        f"net.ipv4.ping_group_range is {rng[0]} {rng[1]}, which excludes group {os.getgid()}"
        if rng and hasattr(os, "getgid")
        else "unprivileged ICMP sockets are not allowed"
    )
    if ping:
        data["method"] = "ping"
        return Check("icmp", OK, f"icmp checks use {ping} ({gid_note})", data=data)
    return Check(
        "icmp",
        WARN,
        f"icmp checks unavailable: {gid_note} and no ping program found",
        "install ping (Debian/Ubuntu: iputils-ping) or allow unprivileged ICMP: "
        "sudo sysctl net.ipv4.ping_group_range='0 2147483647'",
        data,
    )


# -- running ---------------------------------------------------------------------------


def _guard(name: str, fn: Callable[[], Check | list[Check]]) -> list[Check]:
    try:
        out = fn()
    except Exception as exc:
        log.exception("doctor check %s crashed", name)
        return [Check(name, ERROR, f"the check itself failed: {type(exc).__name__}: {exc}")]
    return out if isinstance(out, list) else [out]


def run_checks(data_dir: Path) -> list[Check]:
    plan: list[tuple[str, Callable[[], Check | list[Check]]]] = [
        ("python", check_python),
        ("qt", check_qt),
        ("qt-platform", check_qt_platform),
        ("data-dir", lambda: check_data_dir(data_dir)),
        ("database", lambda: check_database(data_dir)),
        ("snapshots", lambda: check_snapshots(data_dir)),
        ("gui-lock", lambda: check_gui_lock(data_dir)),
        ("keyring", check_keyring),
        ("loopback", check_loopback),
        ("dns", check_dns),
        ("icmp", check_icmp),
    ]
    checks: list[Check] = []
    for name, fn in plan:
        checks += _guard(name, fn)
    return checks
