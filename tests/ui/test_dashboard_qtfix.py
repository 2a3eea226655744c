"""The PySide reference-bug workaround: a busy GUI must survive millions of Qt calls."""

from __future__ import annotations

import subprocess
import sys
import textwrap

CALLS = 30_000  # far more than the few thousand references None/True start with

SCRIPT = textwrap.dedent(
    f"""
    import sys
    if sys.argv[1] == "fixed":
        import warroom.ui  # applies qtfix
    from PySide6.QtCore import QObject, QTimer, Signal

    class O(QObject):
        ping = Signal()

    o, t = O(), QTimer()
    for _ in range({CALLS}):
        t.setInterval(5)      # a void method
        o.ping.emit()         # an emit
    print("survived")
    """
)


def run(mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, timeout=60
    )


def test_many_void_calls_and_emits_do_not_kill_the_gui() -> None:
    from warroom.ui import qtfix

    fixed = run("fixed")
    assert fixed.returncode == 0, fixed.stderr[-2000:]
    assert fixed.stdout.strip() == "survived"
    if sys.version_info < (3, 12) and qtfix.calls_drop_references():
        # The bug is real in this PySide: without the fix the same loop aborts.
        bare = run("bare")
        assert bare.returncode != 0
        assert "_dealloc" in bare.stderr
