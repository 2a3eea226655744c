"""The platform check decides before Qt loads; it must name what is missing."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from warroom.system import platform_check as pc

LDD_MISSING = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /x/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f)
\tlibxcb-cursor.so.0 => not found
"""


def no_ldd(path: Path) -> str:
    raise AssertionError(f"ldd must not run here ({path})")


@pytest.fixture
def plugins(tmp_path: Path) -> Path:
    d = tmp_path / "platforms"
    d.mkdir()
    (d / "libqxcb.so").write_bytes(b"")
    (d / "libqwayland.so").write_bytes(b"")
    return d


@pytest.fixture
def x_server() -> Iterator[str]:
    """A listening TCP socket on loopback standing in for an X server on display N."""
    for num in range(50, 90):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", 6000 + num))
        except OSError:
            s.close()
            continue
        s.listen(1)
        with s:
            yield f"127.0.0.1:{num}"
        return
    pytest.skip("no free port for a fake X display")


def test_offscreen_needs_nothing(plugins: Path) -> None:
    r = pc.check_qt_platform(
        {"QT_QPA_PLATFORM": "offscreen"}, system="linux", plugins=plugins, ldd=no_ldd
    )
    assert r.ok and r.platform == "offscreen"


def test_no_display_is_one_clear_line(plugins: Path) -> None:
    r = pc.check_qt_platform({}, system="linux", plugins=plugins, ldd=lambda p: "")
    assert not r.ok
    assert r.problem == "no display: neither DISPLAY nor WAYLAND_DISPLAY is set"
    assert "QT_QPA_PLATFORM=offscreen" in (r.advice or "")
    assert "\n" not in r.error_line()


def test_missing_xcb_libs_named_with_packages_per_distribution(
    plugins: Path, x_server: str
) -> None:
    seen: list[Path] = []

    def ldd(p: Path) -> str:
        seen.append(p)
        return LDD_MISSING

    r = pc.check_qt_platform({"DISPLAY": x_server}, system="linux", plugins=plugins, ldd=ldd)
    assert seen == [plugins / "libqxcb.so"]
    assert not r.ok
    assert r.missing_libs == ("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1")
    assert r.packages["Debian/Ubuntu"] == ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1")
    assert r.packages["Fedora"] == ("xcb-util-cursor", "xcb-util-wm", "xcb-util-keysyms")
    assert r.packages["Arch"] == ("xcb-util-cursor", "xcb-util-wm", "xcb-util-keysyms")
    assert "openSUSE" in r.packages
    line = r.error_line()
    assert "missing libxcb-cursor.so.0" in line
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in line
    assert "sudo dnf install xcb-util-cursor" in line
    assert "\n" not in line


def test_missing_libs_reported_even_without_a_display(plugins: Path) -> None:
    r = pc.check_qt_platform({}, system="linux", plugins=plugins, ldd=lambda p: LDD_MISSING)
    assert not r.ok
    assert r.problem is not None and r.problem.startswith("no display")
    assert "libxcb-icccm.so.4" in r.missing_libs
    rep = pc.xcb_library_report(plugins=plugins, ldd=lambda p: LDD_MISSING)
    assert not rep.ok and rep.missing_libs == r.missing_libs


def test_unknown_soname_is_named_as_itself() -> None:
    assert pc.packages_for(["libfoo.so.9"])["Fedora"] == ("libfoo.so.9",)


def test_display_without_server(plugins: Path, tmp_path: Path) -> None:
    # Display numbers with no socket anywhere: nothing listens there.
    r = pc.check_qt_platform({"DISPLAY": ":987"}, system="linux", plugins=plugins, ldd=lambda p: "")
    assert not r.ok
    assert r.problem == "cannot connect to the X display DISPLAY=:987"


def test_reachable_display_and_complete_libs_is_ok(plugins: Path, x_server: str) -> None:
    r = pc.check_qt_platform(
        {"DISPLAY": x_server}, system="linux", plugins=plugins, ldd=lambda p: ""
    )
    assert r.ok and r.platform == "xcb"


def test_wayland_session_checks_the_wayland_plugin(plugins: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "wayland-0").write_bytes(b"")
    seen: list[str] = []
    env = {
        "WAYLAND_DISPLAY": "wayland-0",
        "XDG_RUNTIME_DIR": str(run),
        "XDG_SESSION_TYPE": "wayland",
    }

    def ldd(p: Path) -> str:
        seen.append(p.name)
        return ""

    r = pc.check_qt_platform(env, system="linux", plugins=plugins, ldd=ldd)
    assert r.ok and r.platform == "wayland" and seen == ["libqwayland.so"]
    # Only WAYLAND_DISPLAY, outside a Wayland session: Qt would pick xcb and fail.
    r = pc.check_qt_platform(
        {"WAYLAND_DISPLAY": "wayland-0", "XDG_RUNTIME_DIR": str(run)},
        system="linux",
        plugins=plugins,
        ldd=lambda p: "",
    )
    assert not r.ok and "QT_QPA_PLATFORM=wayland" in (r.advice or "")


def test_windows_and_macos_ship_their_plugin(plugins: Path) -> None:
    for system in ("win32", "darwin"):
        assert pc.check_qt_platform({}, system=system, plugins=plugins, ldd=no_ldd).ok


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not shutil.which("ldd"), reason="needs ldd"
)
def test_real_plugin_found_and_ldd_parsed() -> None:
    pdir = pc.plugin_dir()
    assert pdir is not None and (pdir / "libqxcb.so").exists()
    out = pc.run_ldd(pdir / "libqxcb.so")
    assert "libxcb" in out  # real ldd output that our parser reads
    assert isinstance(pc.missing_libraries(pdir / "libqxcb.so"), tuple)


def test_cli_without_display_prints_one_error_line(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    proc = subprocess.run(
        [sys.executable, "-m", "warroom", "--data-dir", str(tmp_path / "ws")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: cannot open the window: no display")
    # Qt was never loaded, so nothing was created in the workspace either.
    assert not (tmp_path / "ws").exists()
