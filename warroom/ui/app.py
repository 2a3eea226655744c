"""The QApplication: names for QSettings, high-DPI, a palette that follows the OS.

Fusion everywhere with our own light and dark palettes: the same high-contrast look on
every platform, and the colour scheme still follows the OS (``QStyleHints.colorScheme``)
live, unless the user picked one in View > Colour scheme.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from warroom import __version__
from warroom.base.paths import resource_path

ORG_NAME = "Warroom"
ORG_DOMAIN = "warroom.invalid"
APP_NAME = "warroom"
DISPLAY_NAME = "Warroom"

SCHEMES = ("auto", "light", "dark")

# Status colours, chosen to read on both palettes (and for colour-blind users they are
# always paired with a word and an icon shape).
STATUS_COLOURS = {
    "up": "#1a9e55",
    "degraded": "#d98c00",
    "down": "#d63a3a",
    "pending": "#7a8494",
}


def _palette(dark: bool) -> QPalette:
    p = QPalette()
    if dark:
        window, base, alt, text = "#1e2228", "#16191e", "#242a31", "#e8ebef"
        button, highlight, link, mid = "#2b3139", "#3d7bd9", "#7fb0ff", "#3a424c"
        disabled, tooltip_bg = "#7d8590", "#2b3139"
    else:
        window, base, alt, text = "#eef0f3", "#ffffff", "#f5f6f8", "#14171c"
        button, highlight, link, mid = "#e2e5ea", "#1f63c6", "#1a56b0", "#c5cad2"
        disabled, tooltip_bg = "#8a919b", "#ffffdc"
    c = QColor
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: alt,
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: button,
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Highlight: highlight,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: link,
        QPalette.ColorRole.LinkVisited: link,
        QPalette.ColorRole.ToolTipBase: tooltip_bg,
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: disabled,
        QPalette.ColorRole.Mid: mid,
        QPalette.ColorRole.Midlight: alt,
        QPalette.ColorRole.Dark: "#0e1013" if dark else "#9aa1ab",
        QPalette.ColorRole.Shadow: "#000000" if dark else "#6b7280",
        QPalette.ColorRole.Light: "#353c45" if dark else "#ffffff",
    }
    for role, colour in roles.items():
        p.setColor(role, c(colour))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, c(disabled))
    return p


@functools.cache
def _stylesheet() -> str:
    try:
        return resource_path("themes", "warroom.qss").read_text(encoding="utf-8")
    except OSError:
        return ""  # a missing theme is cosmetic; never refuse to start over it


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def preferred_scheme(settings: QSettings | None) -> str:
    """The user's choice (env ``WARROOM_COLOR_SCHEME`` wins, for screenshots), else auto."""
    env = os.environ.get("WARROOM_COLOR_SCHEME", "").strip().lower()
    if env in SCHEMES:
        return env
    if settings is not None:
        from warroom.ui.settings import COLOUR_SCHEME

        return COLOUR_SCHEME.get(settings)
    return "auto"


def is_dark(scheme: str) -> bool:
    if scheme == "dark":
        return True
    if scheme == "light":
        return False
    return system_is_dark()


def apply_palette(app: QApplication, scheme: str = "auto") -> bool:
    """Set the light or dark palette; returns True when dark."""
    dark = is_dark(scheme)
    app.setPalette(_palette(dark))
    # palette(...) in the sheet is resolved at polish time: re-apply to re-resolve.
    app.setStyleSheet(_stylesheet())
    app.setProperty("warroomDark", dark)
    app.setProperty("warroomScheme", scheme)
    return dark


def current_is_dark() -> bool:
    app = QCoreApplication.instance()
    return bool(app.property("warroomDark")) if app is not None else False


def _follow_system(app: QApplication) -> None:
    def changed(_scheme: Qt.ColorScheme) -> None:
        if str(app.property("warroomScheme") or "auto") == "auto":
            apply_palette(app, "auto")

    QGuiApplication.styleHints().colorSchemeChanged.connect(changed)


def create_app(argv: Sequence[str] | None = None) -> QApplication:
    """The one QApplication (an existing one, e.g. pytest-qt's, is reused and set up)."""
    existing = QApplication.instance()
    if existing is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        QCoreApplication.setOrganizationName(ORG_NAME)
        QCoreApplication.setOrganizationDomain(ORG_DOMAIN)
        QCoreApplication.setApplicationName(APP_NAME)
        app = QApplication(list(argv) if argv is not None else [sys.argv[0]])
    else:
        assert isinstance(existing, QApplication)
        app = existing
    QCoreApplication.setOrganizationName(ORG_NAME)
    QCoreApplication.setOrganizationDomain(ORG_DOMAIN)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    QGuiApplication.setApplicationDisplayName(DISPLAY_NAME)
    # The .desktop file name lets Wayland compositors find our icon.
    QGuiApplication.setDesktopFileName("warroom")
    if not app.property("warroomSetUp"):
        app.setProperty("warroomSetUp", True)
        app.setStyle("Fusion")
        _follow_system(app)
        from warroom.ui import icons

        app.setWindowIcon(icons.icon("app"))
    apply_palette(app, preferred_scheme(user_settings()))
    return app


def user_settings() -> QSettings:
    """The per-user settings file (INI everywhere, so it can be read and diffed)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORG_NAME, APP_NAME)
