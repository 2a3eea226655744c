"""ui.settings: every key declared once, coerced to its type, defaults for junk."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings

from warroom.ui import settings as s

UI = Path(s.__file__).parent


@pytest.fixture
def qs(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)


def _reopen(qs: QSettings) -> QSettings:
    qs.sync()
    return QSettings(qs.fileName(), QSettings.Format.IniFormat)


def test_defaults_when_absent(qs: QSettings) -> None:
    assert s.DASHBOARD_NOTIFY.get(qs) is True
    assert s.DASHBOARD_LINK.get(qs) == "down"
    assert s.COLOUR_SCHEME.get(qs) == "auto"
    assert s.WINDOW_GEOMETRY.get(qs).isEmpty()


def test_round_trip_through_the_ini_file_keeps_the_type(qs: QSettings) -> None:
    s.DASHBOARD_NOTIFY.set(qs, False)
    s.DASHBOARD_LINK.set(qs, "all")
    s.WINDOW_STATE.set(qs, QByteArray(b"\x00\x01state"))
    again = _reopen(qs)
    assert s.DASHBOARD_NOTIFY.get(again) is False
    assert s.DASHBOARD_LINK.get(again) == "all"
    assert bytes(s.WINDOW_STATE.get(again).data()) == b"\x00\x01state"


def test_strings_from_the_ini_file_become_the_declared_type(tmp_path: Path) -> None:
    ini = tmp_path / "written.ini"
    ini.write_text("[dashboard]\nnotify=false\nincident_link=ALL\n", encoding="utf-8")
    qs = QSettings(str(ini), QSettings.Format.IniFormat)
    assert qs.value(s.DASHBOARD_NOTIFY.key) == "false"  # what the INI backend hands back
    assert s.DASHBOARD_NOTIFY.get(qs) is False
    assert s.DASHBOARD_LINK.get(qs) == "down"  # not one of the choices as written


def test_junk_from_another_version_falls_back_to_the_default(tmp_path: Path) -> None:
    ini = tmp_path / "junk.ini"
    ini.write_text(
        "[dashboard]\nnotify=perhaps\n[ui]\ncolour_scheme=purple\n[window]\ngeometry=not bytes\n",
        encoding="utf-8",
    )
    again = QSettings(str(ini), QSettings.Format.IniFormat)
    assert s.DASHBOARD_NOTIFY.get(again) is True
    assert s.COLOUR_SCHEME.get(again) == "auto"
    assert s.WINDOW_GEOMETRY.get(again).isEmpty()


def test_set_refuses_the_wrong_type_or_value(qs: QSettings) -> None:
    with pytest.raises(TypeError):
        s.DASHBOARD_NOTIFY.set(qs, "yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        s.COLOUR_SCHEME.set(qs, "purple")


def test_per_workspace_key(qs: QSettings, tmp_path: Path) -> None:
    a = s.TIMELINE_DRAFT.at(s.workspace_key(tmp_path / "a"))
    b = s.TIMELINE_DRAFT.at(s.workspace_key(tmp_path / "b"))
    a.set(qs, "half a line")
    assert a.get(qs) == "half a line" and b.get(qs) == ""
    a.remove(qs)
    assert a.get(qs) == ""
    with pytest.raises(ValueError):
        s.DASHBOARD_NOTIFY.at("x")


def test_keys_are_unique() -> None:
    keys = [x.key for x in s.all_settings()]
    assert len(keys) == len(set(keys)) and len(keys) >= 6


def test_nothing_else_reads_or_writes_qsettings_directly() -> None:
    """One schema: a key read with its own default elsewhere is how the five copies began."""
    direct = re.compile(r"settings\.(value|setValue|remove)\(|\bs\.(value|setValue)\(")
    offenders = []
    for path in UI.rglob("*.py"):
        if path.name == "settings.py" and path.parent == UI:
            continue
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if direct.search(line):
                offenders.append(f"{path.relative_to(UI)}:{n}: {line.strip()}")
    assert offenders == []
