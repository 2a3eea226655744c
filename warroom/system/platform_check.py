"""Can Qt open a window here? Answered without importing Qt.

Without a display, or with the xcb plugin's system libraries missing, PySide6 aborts the
whole process with "could not load the Qt platform plugin". Both the GUI launcher and
``warroom doctor`` ask this module first so the user gets one line naming what to
install instead of a core dump.
"""

from __future__ import annotations

import importlib.util
import os
import re
import socket
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Platforms that need no display server at all.
HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "minimalegl", "vnc", "linuxfb", "eglfs"})

DISTROS = ("Debian/Ubuntu", "Fedora", "Arch", "openSUSE")
INSTALL_CMD = {
    "Debian/Ubuntu": "sudo apt install",
    "Fedora": "sudo dnf install",
    "Arch": "sudo pacman -S",
    "openSUSE": "sudo zypper install",
}

# soname -> (Debian/Ubuntu, Fedora, Arch, openSUSE) package names.
LIB_PACKAGES: dict[str, tuple[str, str, str, str]] = {
    "libxcb-cursor.so.0": (
        "libxcb-cursor0",
        "xcb-util-cursor",
        "xcb-util-cursor",
        "libxcb-cursor0",
    ),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm", "xcb-util-wm", "libxcb-icccm4"),
    "libxcb-keysyms.so.1": (
        "libxcb-keysyms1",
        "xcb-util-keysyms",
        "xcb-util-keysyms",
        "libxcb-keysyms1",
    ),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image", "xcb-util-image", "libxcb-image0"),
    "libxcb-render-util.so.0": (
        "libxcb-render-util0",
        "xcb-util-renderutil",
        "xcb-util-renderutil",
        "libxcb-render-util0",
    ),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util", "xcb-util", "libxcb-util1"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb", "libxcb", "libxcb-randr0"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb", "libxcb", "libxcb-shape0"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb", "libxcb", "libxcb-xkb1"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb", "libxcb", "libxcb-sync1"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb", "libxcb", "libxcb-xfixes0"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb", "libxcb", "libxcb-shm0"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb", "libxcb", "libxcb-render0"),
    "libxcb-xinput.so.0": ("libxcb-xinput0", "libxcb", "libxcb", "libxcb-xinput0"),
    "libxcb.so.1": ("libxcb1", "libxcb", "libxcb", "libxcb1"),
    "libxkbcommon-x11.so.0": (
        "libxkbcommon-x11-0",
        "libxkbcommon-x11",
        "libxkbcommon-x11",
        "libxkbcommon-x11-0",
    ),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon", "libxkbcommon", "libxkbcommon0"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb", "libx11", "libX11-xcb1"),
    "libX11.so.6": ("libx11-6", "libX11", "libx11", "libX11-6"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl", "libglvnd", "libEGL1"),
    "libGL.so.1": ("libgl1", "libglvnd-glx", "libglvnd", "libGL1"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx", "libglvnd", "libGLX0"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl", "libglvnd", "libOpenGL0"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig", "fontconfig", "libfontconfig1"),
    "libfreetype.so.6": ("libfreetype6", "freetype", "freetype2", "libfreetype6"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs", "dbus", "libdbus-1-3"),
    "libwayland-client.so.0": (
        "libwayland-client0",
        "libwayland-client",
        "wayland",
        "libwayland-client0",
    ),
    "libwayland-cursor.so.0": (
        "libwayland-cursor0",
        "libwayland-cursor",
        "wayland",
        "libwayland-cursor0",
    ),
    "libwayland-egl.so.1": ("libwayland-egl1", "libwayland-egl", "wayland", "libwayland-egl1"),
}

# What to install up front on a fresh desktop (README, docs/gui.md, .ci/run).
RECOMMENDED = (
    "libxcb-cursor.so.0",
    "libxcb-icccm.so.4",
    "libxcb-keysyms.so.1",
    "libxcb-image.so.0",
    "libxcb-render-util.so.0",
    "libxkbcommon-x11.so.0",
    "libEGL.so.1",
)

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)

LddRunner = Callable[[Path], str]


@dataclass(frozen=True)
class PlatformReport:
    """The verdict. ``problem`` and ``advice`` are one line each (None when ok)."""

    ok: bool
    platform: str
    problem: str | None = None
    missing_libs: tuple[str, ...] = ()
    advice: str | None = None
    packages: dict[str, tuple[str, ...]] = field(default_factory=dict)
    plugin: Path | None = None

    def error_line(self) -> str:
        """``problem; advice`` as the one line the CLI prints after ``error:``."""
        return "; ".join(p for p in (self.problem, self.advice) if p)


def packages_for(libs: tuple[str, ...] | list[str]) -> dict[str, tuple[str, ...]]:
    """Distribution -> the packages that provide ``libs`` (unknown sonames as themselves)."""
    out: dict[str, list[str]] = {d: [] for d in DISTROS}
    for lib in libs:
        names = LIB_PACKAGES.get(lib, (lib,) * len(DISTROS))
        for distro, name in zip(DISTROS, names, strict=True):
            if name not in out[distro]:
                out[distro].append(name)
    return {d: tuple(p) for d, p in out.items()}


def install_advice(libs: tuple[str, ...] | list[str]) -> str:
    pk = packages_for(libs)
    return "install them: " + "; ".join(f"{d}: {INSTALL_CMD[d]} {' '.join(pk[d])}" for d in DISTROS)


def plugin_dir(env: Mapping[str, str] | None = None) -> Path | None:
    """PySide6's ``plugins/platforms`` folder, found without importing PySide6."""
    base = getattr(sys, "_MEIPASS", None)
    candidates: list[Path] = []
    if base:
        candidates += [Path(base, "PySide6", "Qt", "plugins"), Path(base, "PySide6", "plugins")]
    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.origin:
        pkg = Path(spec.origin).parent
        candidates += [pkg / "Qt" / "plugins", pkg / "plugins"]
    env = os.environ if env is None else env
    for extra in (env.get("QT_PLUGIN_PATH") or "").split(os.pathsep):
        if extra:
            candidates.append(Path(extra))
    for c in candidates:
        if (c / "platforms").is_dir():
            return c / "platforms"
    return None


def run_ldd(path: Path) -> str:
    """``ldd`` output for ``path``, or '' when ldd is unavailable (then we cannot tell)."""
    try:
        proc = subprocess.run(
            ["ldd", str(path)], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout + proc.stderr


def missing_libraries(plugin: Path, ldd: LddRunner = run_ldd) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_NOT_FOUND.findall(ldd(plugin))))


def _x11_reachable(display: str, env: Mapping[str, str]) -> bool:
    """Is there an X server behind DISPLAY? (Qt aborts when there is not.)"""
    m = re.fullmatch(r"(?P<host>[^:]*):(?P<num>\d+)(\.\d+)?", display.strip())
    if not m:
        return False
    host, num = m.group("host"), int(m.group("num"))
    if host.startswith("/"):  # macOS launchd socket path
        return Path(host).exists()
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{num}"
        for addr in ("\0" + path, path):  # abstract namespace first (Linux), then the file
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(1.0)
            try:
                s.connect(addr)
                return True
            except OSError:
                continue
            finally:
                s.close()
        return False
    try:
        with socket.create_connection((host, 6000 + num), timeout=1.0):
            return True
    except OSError:
        return False


def _wayland_reachable(display: str, env: Mapping[str, str]) -> bool:
    path = Path(display)
    if not path.is_absolute():
        runtime = env.get("XDG_RUNTIME_DIR")
        if not runtime:
            return False
        path = Path(runtime) / display
    return path.exists()


def check_qt_platform(
    env: Mapping[str, str] | None = None,
    *,
    system: str | None = None,
    plugins: Path | None = None,
    ldd: LddRunner = run_ldd,
) -> PlatformReport:
    """Decide whether Qt can start a GUI in this environment.

    The keyword arguments exist for tests: another OS, a fake plugin folder, canned
    ``ldd`` output.
    """
    env = os.environ if env is None else env
    system = sys.platform if system is None else system
    requested = [p.split(":", 1)[0].strip() for p in env.get("QT_QPA_PLATFORM", "").split(";")]
    requested = [p for p in requested if p]
    if any(p in HEADLESS_PLATFORMS for p in requested):
        return PlatformReport(
            ok=True, platform=next(p for p in requested if p in HEADLESS_PLATFORMS)
        )
    if not system.startswith("linux") and not system.startswith("freebsd"):
        # Windows and macOS ship their platform plugin inside PySide6.
        return PlatformReport(ok=True, platform=requested[0] if requested else "native")

    display = env.get("DISPLAY", "")
    wayland = env.get("WAYLAND_DISPLAY", "")
    # Qt's own default: wayland first only in a Wayland session, else xcb alone.
    if requested:
        wanted = requested
    elif env.get("XDG_SESSION_TYPE") == "wayland" and wayland:
        wanted = ["wayland", "xcb"]
    else:
        wanted = ["xcb"]
    pdir = plugins if plugins is not None else plugin_dir(env)
    problems: list[str] = []
    missing: tuple[str, ...] = ()
    plugin_path: Path | None = None
    no_server = False
    for plat in wanted:
        if plat == "wayland" or plat.startswith("wayland-"):
            variable, value, reach = "WAYLAND_DISPLAY", wayland, _wayland_reachable
            lib = pdir / "libqwayland.so" if pdir else None
        elif plat == "xcb":
            variable, value, reach = "DISPLAY", display, _x11_reachable
            lib = pdir / "libqxcb.so" if pdir else None
        else:
            # A platform we do not know how to check: let Qt try.
            return PlatformReport(ok=True, platform=plat)
        # Libraries first: doctor wants them named even on a machine without a display.
        libs = missing_libraries(lib, ldd) if lib is not None and lib.exists() else ()
        if libs:
            missing += tuple(x for x in libs if x not in missing)
            plugin_path = lib
            problems.append(f"the Qt {plat} platform plugin cannot load: missing {', '.join(libs)}")
        if not value:
            no_server = True
            if requested:
                problems.append(f"QT_QPA_PLATFORM asks for {plat} but {variable} is not set")
            continue
        if not reach(value, env):
            no_server = True
            problems.append(
                f"cannot connect to the X display DISPLAY={value}"
                if plat == "xcb"
                else f"no Wayland compositor at WAYLAND_DISPLAY={value}"
            )
            continue
        if not libs:
            return PlatformReport(ok=True, platform=plat, plugin=lib)

    if no_server and not any("DISPLAY" in p for p in problems):
        problems.insert(
            0,
            "no display: DISPLAY is not set"
            if wayland
            else "no display: neither DISPLAY nor WAYLAND_DISPLAY is set",
        )
    advice: list[str] = []
    if missing:
        advice.append(install_advice(missing))
    if no_server:
        advice.append(
            "set QT_QPA_PLATFORM=wayland, or run Warroom inside an X11 session"
            if wayland and not display
            else "run Warroom inside a desktop session, or set QT_QPA_PLATFORM=offscreen "
            "(e.g. with --screenshot)"
        )
    return PlatformReport(
        ok=False,
        platform=wanted[0],
        problem="; ".join(problems),
        missing_libs=missing,
        advice="; ".join(advice),
        packages=packages_for(missing) if missing else {},
        plugin=plugin_path,
    )


def xcb_library_report(*, plugins: Path | None = None, ldd: LddRunner = run_ldd) -> PlatformReport:
    """Only the xcb plugin's libraries, whatever the environment (for doctor on a server)."""
    pdir = plugins if plugins is not None else plugin_dir()
    lib = pdir / "libqxcb.so" if pdir else None
    if lib is None or not lib.exists():
        return PlatformReport(ok=True, platform="xcb", problem=None)
    libs = missing_libraries(lib, ldd)
    if not libs:
        return PlatformReport(ok=True, platform="xcb", plugin=lib)
    return PlatformReport(
        ok=False,
        platform="xcb",
        problem=f"the Qt xcb platform plugin cannot load: missing {', '.join(libs)}",
        missing_libs=libs,
        advice=install_advice(libs),
        packages=packages_for(libs),
        plugin=lib,
    )


# -- a Qt binding that would crash us ------------------------------------------------

# PySide6 6.12.0 returns None from void methods and True from emit() without taking a
# reference. On Python 3.12+ both are immortal; on 3.11 the counts run out after a few
# thousand calls and the interpreter aborts ("Fatal Python error: none_dealloc"),
# seconds into a busy dashboard. pyproject.toml pins PySide6 below 6.12; this catches
# an install that brought its own.
REFCOUNT_BUG_PYSIDE = ("6.12.0",)


def pyside_version() -> str | None:
    """The installed PySide6's version, read from the package: no Qt library is loaded."""
    try:
        import PySide6
    except ImportError:
        return None
    return str(getattr(PySide6, "__version__", "")) or None


def known_qt_bug(
    version: str | None = None,
    python: tuple[int, int] | None = None,
    implementation: str | None = None,
) -> str | None:
    """One line naming a known-fatal PySide6/Python pairing, or None when there is none.

    The arguments default to this process (they exist for tests).
    """
    version = pyside_version() if version is None else version
    major, minor = (sys.version_info[0], sys.version_info[1]) if python is None else python
    implementation = sys.implementation.name if implementation is None else implementation
    if version is None or implementation != "cpython" or (major, minor) >= (3, 12):
        return None
    if version.split("+")[0] in REFCOUNT_BUG_PYSIDE:
        return (
            f"PySide6 {version} on Python {major}.{minor} crashes after a few "
            "thousand Qt calls (a reference-count bug); install PySide6-Essentials<6.12 "
            "or use Python 3.12 or newer"
        )
    return None
