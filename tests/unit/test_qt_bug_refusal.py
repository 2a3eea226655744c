"""A PySide6 known to abort the interpreter is refused at start with one line.

PySide6 6.12.0 on Python 3.11 drops references to None/True on every void call and
emit; the process dies after a few thousand. Warroom no longer patches refcounts: it
refuses to open the window (and doctor says why).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from warroom.system import doctor
from warroom.system.platform_check import known_qt_bug


@pytest.mark.parametrize(
    ("version", "python", "impl", "bad"),
    [
        ("6.12.0", (3, 11), "cpython", True),
        ("6.11.3", (3, 11), "cpython", False),
        ("6.12.0", (3, 12), "cpython", False),  # None and True are immortal there
        ("6.12.0", (3, 13), "cpython", False),
        ("6.12.0", (3, 11), "pypy", False),
        ("6.8.0", (3, 11), "cpython", False),
    ],
)
def test_known_bad_pairings(version: str, python: tuple[int, int], impl: str, bad: bool) -> None:
    line = known_qt_bug(version, python, impl)
    assert (line is not None) is bad
    if line is not None:
        assert "6.12.0" in line and "3.11" in line and "<6.12" in line
        assert "\n" not in line


def test_the_installed_pyside_is_not_refused() -> None:
    assert known_qt_bug() is None
    assert doctor.check_qt().status == doctor.OK


# The launcher as a user runs it, with this process's PySide claiming to be 6.12.0 and
# the interpreter claiming 3.11 (the pairing that aborts).
SCRIPT = textwrap.dedent(
    """
    import sys
    import PySide6
    PySide6.__version__ = "6.12.0"
    sys.version_info = (3, 11, 9, "final", 0)
    from warroom.main import main
    sys.exit(main(["--data-dir", sys.argv[1]]))
    """
)


def test_the_window_refuses_to_start_with_one_line(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "ws")],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: cannot open the window: PySide6 6.12.0 on Python 3.11")
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "ws" / "warroom.sqlite").exists()  # nothing was touched
