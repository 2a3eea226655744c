"""Doctor's verdicts on situations this machine cannot produce on demand."""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.system import doctor, platform_check
from warroom.system.platform_check import PlatformReport

MISSING = PlatformReport(
    ok=False,
    platform="xcb",
    problem="the Qt xcb platform plugin cannot load: missing libxcb-cursor.so.0",
    missing_libs=("libxcb-cursor.so.0",),
    advice=platform_check.install_advice(("libxcb-cursor.so.0",)),
    packages=platform_check.packages_for(("libxcb-cursor.so.0",)),
)


def test_missing_xcb_libs_on_a_desktop_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platform_check, "check_qt_platform", lambda: MISSING)
    monkeypatch.setenv("DISPLAY", ":0")
    [c] = doctor.check_qt_platform()
    assert c.status == doctor.ERROR
    assert "libxcb-cursor.so.0" in c.summary
    assert c.advice and "sudo apt install libxcb-cursor0" in c.advice
    assert "sudo dnf install xcb-util-cursor" in c.advice
    assert c.data["packages"]["Debian/Ubuntu"] == ["libxcb-cursor0"]


def test_missing_xcb_libs_without_display_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platform_check, "check_qt_platform", lambda: MISSING)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    [c] = doctor.check_qt_platform()
    assert c.status == doctor.WARN


def test_xcb_libraries_checked_even_offscreen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        platform_check, "check_qt_platform", lambda: PlatformReport(ok=True, platform="offscreen")
    )
    monkeypatch.setattr(platform_check, "xcb_library_report", lambda: MISSING)
    checks = {c.name: c for c in doctor.check_qt_platform()}
    if "qt-xcb-libs" not in checks:
        pytest.skip("not Linux")
    assert checks["qt-platform"].status == doctor.OK
    assert checks["qt-xcb-libs"].status == doctor.WARN
    assert "libxcb-cursor0" in (checks["qt-xcb-libs"].advice or "")


def test_exit_code_is_the_worst_status() -> None:
    ok = doctor.Check("a", doctor.OK, "")
    warn = doctor.Check("b", doctor.WARN, "")
    err = doctor.Check("c", doctor.ERROR, "")
    assert doctor.exit_code([ok]) == 0
    assert doctor.exit_code([ok, warn]) == 1
    assert doctor.exit_code([warn, err, ok]) == 2


def test_a_crashing_check_becomes_an_error_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> doctor.Check:
        raise RuntimeError("kaputt")

    monkeypatch.setattr(doctor, "check_dns", boom)
    checks = {c.name: c for c in doctor.run_checks(Path("/nonexistent-warroom-test"))}
    assert checks["dns"].status == doctor.ERROR and "kaputt" in checks["dns"].summary


def test_missing_data_dir_under_a_writable_parent_is_fine(tmp_path: Path) -> None:
    c = doctor.check_data_dir(tmp_path / "new" / "ws")
    assert c.status == doctor.OK and "created on first use" in c.summary
    assert not (tmp_path / "new").exists()


def test_icmp_without_any_method_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(*a: object, **k: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(doctor.socket, "socket", denied)
    monkeypatch.setattr(doctor.shutil, "which", lambda name: None)
    monkeypatch.setattr(doctor, "_ping_group_range", lambda: (1, 0))
    c = doctor.check_icmp()
    assert c.status == doctor.WARN
    assert "ping_group_range is 1 0" in c.summary
    assert c.advice and "iputils-ping" in c.advice
