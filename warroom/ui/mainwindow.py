"""The main window: three movable panes, standard menus, a status bar with two clocks.

Panes come from ``warroom.ui.panes.PANES``; the window knows nothing about what they
show. Layout and geometry live in QSettings and come back at the next start.

Signals:
    first_painted(): emitted once, after the window's first frame was painted.
    panes_ready(): emitted once, when every pane's real widget is built.
"""

from __future__ import annotations

import itertools
import logging
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QIcon,
    QKeySequence,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QStatusBar,
    QToolButton,
    QWidget,
)

from warroom import __version__
from warroom.ui import icons, settings
from warroom.ui.chrome import ClockLabel, DockTitle, IconLabel
from warroom.ui.context import UiContext
from warroom.ui.panes import PANES, PaneSpec, build

log = logging.getLogger(__name__)

STATE_VERSION = 1  # bump when the set of panes changes incompatibly
MAX_MESSAGES = 30  # status-bar messages kept for the "Messages" list
SK = QKeySequence.StandardKey


def shortcuts(key: QKeySequence.StandardKey, fallback: str = "") -> list[QKeySequence]:
    """The platform's binding for ``key``; ``fallback`` where the platform has none
    (Windows has no standard Quit, GNOME no Preferences)."""
    seqs = QKeySequence.keyBindings(key)
    if not seqs and fallback:
        seqs = [QKeySequence(fallback)]
    return list(seqs)


class MainWindow(QMainWindow):
    first_painted = Signal()
    panes_ready = Signal()

    def __init__(
        self,
        ctx: UiContext,
        panes: dict[str, PaneSpec] | None = None,
        *,
        restore: bool = True,
        defer_panes: bool = False,
    ) -> None:
        """``defer_panes``: show light stand-ins first and build the real panes with
        ``build_panes()`` (the launcher calls it right after the first frame, so the
        window appears before heavy pane imports run)."""
        super().__init__()
        self.ctx = ctx
        self._defer = defer_panes
        self._pending: list[str] = []
        self._panes_ready = False
        self.setObjectName("warroom-main")
        self._painted = False
        self._closed = False
        title = f"Warroom — {ctx.data_dir}"
        if ctx.demo:
            title = f"Warroom — DEMO (throwaway workspace) — {ctx.data_dir}"
        self.setWindowTitle(title)
        self.setWindowIcon(icons.icon("app"))
        self.setDockNestingEnabled(True)
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowNestedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
        )

        self._build_status_bar()
        self._build_actions()
        # Connected before the panes exist: a pane may pick an incident while it builds.
        ctx.active_incident_changed.connect(
            lambda _id: self.set_active_incident(ctx.active_incident_title)
        )
        ctx.workspace_file_changed.connect(lambda _p: self._show_workspace())
        self.docks: dict[str, QDockWidget] = {}
        self._hint = QLabel(
            "All panes are closed or floating.\n"
            "Bring them back from the View menu, or with View ▸ Reset layout."
        )
        self._hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hint.setWordWrap(True)
        self._hint.setMinimumWidth(100)
        self._hint.setEnabled(False)
        self.setCentralWidget(self._hint)
        self._specs = dict(panes if panes is not None else PANES)
        for pane_id, spec in self._specs.items():
            self._add_pane(pane_id, spec)
        self._build_menus()
        from warroom.ui.handover import install_handover_actions

        install_handover_actions(self, ctx)  # File: export, import, hand over, report; drops
        from warroom.ui.compose import install_compose_actions

        install_compose_actions(self, ctx)  # File: compose status update; next-update clock
        self._default_layout()
        self._default_state = self.saveState(STATE_VERSION)
        # The default layout follows the window's width (the feed beside the timeline
        # from ``tab_below_width`` on, a tab behind it below) until the user arranges
        # the docks; a restored layout is the user's from the start.
        self._tabbed: frozenset[str] = frozenset()
        self._relayout = QTimer(self, singleShot=True, interval=150)
        self._relayout.timeout.connect(self._follow_window_width)
        self.resize(1280, 800)
        self._restored = False
        self._own_layout = False  # the user arranged the docks: never re-laid out for them
        self._auto_arrangement: frozenset[tuple[str, int, bool, bool, frozenset[str]]] | None
        self._auto_arrangement = None  # where our last layout put the docks
        if restore:
            self._restored = self.restore_layout()
            self._own_layout = self._restored and settings.WINDOW_LAYOUT_OWN.get(ctx.settings)
            if self._restored and not self._own_layout:
                self._auto_arrangement = self._arrangement()
        self._update_hint()
        if not defer_panes:
            self.build_panes()
            if not self._restored:
                self._fit_to_width()
            elif not self._own_layout:
                self._tabbed = self._current_tabbed()

    # -- building ----------------------------------------------------------

    def _action(
        self,
        key: str,
        text: str,
        *,
        std: QKeySequence.StandardKey | None = None,
        fallback: str = "",
        icon: str = "",
        enabled: bool = True,
        tip: str = "",
    ) -> QAction:
        act = QAction(text, self)
        act.setObjectName(f"action-{key}")
        if std is not None:
            act.setShortcuts(shortcuts(std, fallback))
        elif fallback:
            act.setShortcut(QKeySequence(fallback))
        if icon:
            act.setIcon(icons.icon(icon))
        act.setEnabled(enabled)
        if tip:
            act.setStatusTip(tip)
            act.setToolTip(tip)
        self.ctx.actions[key] = act
        return act

    def _build_actions(self) -> None:
        later = "Not available yet: arrives with the pane that needs it."
        a = self._action
        a("open", "&Open workspace file…", std=SK.Open, icon="workspace").triggered.connect(
            self.open_workspace_file
        )
        a("save", "&Save workspace file", std=SK.Save, enabled=False, tip=later)
        a("import", "&Import bundle…", icon="import", enabled=False, tip=later)
        a("export", "&Export incident…", icon="export", enabled=False, tip=later)
        a("handover", "&Handover brief…", icon="handover", enabled=False, tip=later)
        quit_act = a("quit", "&Quit", std=SK.Quit, fallback="Ctrl+Q")
        quit_act.setMenuRole(QAction.MenuRole.QuitRole)
        quit_act.triggered.connect(self.close)
        a("undo", "&Undo", std=SK.Undo, enabled=False, tip=later)
        a("redo", "&Redo", std=SK.Redo, enabled=False, tip=later)
        a("find", "&Find…", std=SK.Find, icon="find", enabled=False, tip=later)
        prefs = a("preferences", "&Preferences…", std=SK.Preferences, fallback="Ctrl+,")
        prefs.setMenuRole(QAction.MenuRole.PreferencesRole)
        prefs.setEnabled(False)
        prefs.setStatusTip(later)
        a("reset_layout", "&Reset layout", icon="layout").triggered.connect(self.reset_layout)
        full = a("fullscreen", "&Full screen", std=SK.FullScreen, fallback="F11")
        full.setCheckable(True)
        full.toggled.connect(self._set_fullscreen)
        a("help", "&Keyboard shortcuts", std=SK.HelpContents, fallback="F1").triggered.connect(
            self.show_shortcuts
        )
        a("log", "Show &log file").triggered.connect(self.show_log)
        about = a("about", "&About Warroom", icon="app")
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.show_about)
        for act in self.ctx.actions.values():
            self.addAction(act)  # shortcuts work even with the menu bar hidden

    def _build_menus(self) -> None:
        acts = self.ctx.actions
        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addActions([acts["open"], acts["save"]])
        m.addSeparator()
        m.addActions([acts["import"], acts["export"], acts["handover"]])
        m.addSeparator()
        m.addAction(acts["quit"])
        m = mb.addMenu("&Edit")
        m.addActions([acts["undo"], acts["redo"]])
        m.addSeparator()
        m.addAction(acts["find"])
        m.addSeparator()
        m.addAction(acts["preferences"])
        m = mb.addMenu("&View")
        m.setObjectName("menu-view")
        for dock in self.docks.values():
            m.addAction(dock.toggleViewAction())
        m.addSeparator()
        m.addAction(acts["reset_layout"])
        scheme_menu = m.addMenu("&Colour scheme")
        group = QActionGroup(self)
        from warroom.ui.app import preferred_scheme

        current = preferred_scheme(self.ctx.settings)
        for value, label in (("auto", "Follow the system"), ("light", "Light"), ("dark", "Dark")):
            act = QAction(label, self, checkable=True)
            act.setObjectName(f"action-scheme-{value}")
            act.setChecked(value == current)
            act.triggered.connect(lambda _=False, v=value: self.set_colour_scheme(v))
            group.addAction(act)
            scheme_menu.addAction(act)
            acts[f"scheme_{value}"] = act
        m.addAction(acts["fullscreen"])
        from warroom.ui.zoom import Zoom

        self.zoom = Zoom(self, self.ctx.settings)  # wall display: Ctrl+= / Ctrl+- / Ctrl+0
        self.zoom.add_to(m)
        acts.update(self.zoom.actions)
        m = mb.addMenu("&Help")
        m.addActions([acts["help"], acts["log"]])
        m.addSeparator()
        m.addAction(acts["about"])

    def _add_pane(self, pane_id: str, spec: PaneSpec) -> None:
        dock = QDockWidget(spec.title, self)
        dock.setObjectName(f"dock-{pane_id}")
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        if self._defer:
            loading = QLabel(f"Loading {spec.title.lower()}…")
            loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
            loading.setEnabled(False)
            dock.setWidget(loading)
            self._pending.append(pane_id)
        else:
            dock.setWidget(self._make_pane(pane_id, spec))
            self._follow_width(dock)
        dock.setTitleBarWidget(DockTitle(dock, spec.icon))
        toggle = dock.toggleViewAction()
        toggle.setIcon(icons.icon(spec.icon))
        toggle.setText(spec.title)
        toggle.setObjectName(f"action-toggle-{pane_id}")
        if spec.shortcut:
            toggle.setShortcut(QKeySequence(spec.shortcut))
        toggle.setStatusTip(spec.what)
        # Not toggle.toggled: that fires before the dock has actually hidden.
        dock.visibilityChanged.connect(lambda _v: self._update_hint())
        dock.topLevelChanged.connect(lambda _f: self._update_hint())
        self.addAction(toggle)
        self.docks[pane_id] = dock

    def _make_pane(self, pane_id: str, spec: PaneSpec) -> QWidget:
        try:
            return build(spec, self.ctx)
        except Exception:
            # One broken pane must not take the war room down with it.
            log.exception("pane %s failed to build", pane_id)
            from warroom.ui.placeholder import PlaceholderPane

            return PlaceholderPane(
                spec.title,
                spec.icon,
                f"This pane failed to start; the details are in the log file "
                f"({self.ctx.log_path or 'no log file'}).",
            )

    def build_panes(self) -> None:
        """Build the panes that were deferred (idempotent); emits ``panes_ready``."""
        pending, self._pending = self._pending, []
        for pane_id in pending:
            dock = self.docks[pane_id]
            old = dock.widget()
            dock.setWidget(self._make_pane(pane_id, self._specs[pane_id]))
            self._follow_width(dock)
            if old is not None:
                old.deleteLater()
        if pending and not self._restored:
            self._fit_to_width()
        elif pending and not self._own_layout:
            self._tabbed = self._current_tabbed()  # a restored default layout, as it is
        if not self._panes_ready:
            self._panes_ready = True
            log.info("panes ready: %s", ", ".join(self.docks))
            self.panes_ready.emit()

    def _default_layout(self) -> None:
        docks = list(self.docks.values())
        for d in docks:
            d.setFloating(False)
            d.show()
        if not docks:
            return
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, docks[0])
        for prev, nxt in itertools.pairwise(docks):
            self.splitDockWidget(prev, nxt, Qt.Orientation.Horizontal)
        weights = [self._specs[k].weight for k in self.docks]
        total = sum(weights)
        self.resizeDocks(docks, [1280 * w // total for w in weights], Qt.Orientation.Horizontal)

    def _fit_placeholders(self) -> None:
        """A pane that is only a placeholder takes no width: it becomes a tab behind its
        left neighbour (one click away), and its share goes to the panes that show
        something (default layout only; a layout the user made is theirs)."""
        docks, narrow = self._narrow_docks()
        rest = [d for d in docks if d not in narrow]
        self._tabbed = frozenset(d.objectName() for d in narrow) if rest else frozenset()
        if not narrow or not rest:
            return
        for d in narrow:
            i = docks.index(d)
            host = next((x for x in reversed(docks[:i]) if x in rest), rest[0])
            self.tabifyDockWidget(host, d)
            host.raise_()
        weights = {d: self._specs[k].weight for k, d in self.docks.items() if d in rest}
        total = max(self.width(), 800)
        sizes = [total * weights[d] // sum(weights.values()) for d in rest]
        self.resizeDocks(rest, sizes, Qt.Orientation.Horizontal)

    def _narrow_docks(self) -> tuple[list[QDockWidget], list[QDockWidget]]:
        """The docked panes, and those that should be a tab at today's width: a
        placeholder, or a pane narrower than its ``tab_below_width`` wants (the feed at
        1280 px, where the dashboard and the timeline need the width)."""
        from warroom.ui.placeholder import PlaceholderPane

        docks = [d for d in self.docks.values() if not d.isHidden() and not d.isFloating()]
        narrow = [
            d
            for d in docks
            if isinstance(d.widget(), PlaceholderPane)
            or self.width() < getattr(d.widget(), "tab_below_width", 0)
        ]
        return docks, narrow

    def _wants_tabbed(self) -> frozenset[str]:
        docks, narrow = self._narrow_docks()
        if len(narrow) == len(docks):
            return frozenset()
        return frozenset(d.objectName() for d in narrow)

    def _current_tabbed(self) -> frozenset[str]:
        """The docks that may go behind a tab (a placeholder, or a pane with a
        ``tab_below_width``) and are behind one now: what a restored layout did."""
        from warroom.ui.placeholder import PlaceholderPane

        return frozenset(
            d.objectName()
            for d in self.docks.values()
            if self.tabifiedDockWidgets(d)
            and (isinstance(d.widget(), PlaceholderPane) or hasattr(d.widget(), "tab_below_width"))
        )

    def _follow_window_width(self) -> None:
        """Maximised or narrowed past a pane's ``tab_below_width``: lay the default
        layout out again for the new width (the user's own arrangement is left alone)."""
        if not self._panes_ready or self.is_own_layout() or self._wants_tabbed() == self._tabbed:
            return
        self._apply_default()

    def _apply_default(self) -> None:
        if not self.restoreState(self._default_state, STATE_VERSION):
            self._default_layout()
        for d in self.docks.values():
            d.setFloating(False)
            d.show()
        self._fit_to_width()

    def _fit_to_width(self) -> None:
        self._fit_placeholders()
        self._grant_preferred_widths()
        self._auto_arrangement = self._arrangement()

    def _arrangement(self) -> frozenset[tuple[str, int, bool, bool, frozenset[str]]]:
        """Where each dock is (area, floating, closed, tab group), not how wide: what
        the user changes when they arrange the panes, and a window resize does not."""
        return frozenset(
            (
                name,
                self.dockWidgetArea(d).value,
                d.isFloating(),
                d.isHidden(),
                frozenset(t.objectName() for t in self.tabifiedDockWidgets(d)),
            )
            for name, d in self.docks.items()
        )

    def is_own_layout(self) -> bool:
        """The user arranged the docks since we last laid them out: theirs to keep."""
        if not self._own_layout and self._auto_arrangement is not None:
            self._own_layout = self._arrangement() != self._auto_arrangement
        return self._own_layout

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if hasattr(self, "_relayout"):
            self._relayout.start()

    def _follow_width(self, dock: QDockWidget) -> None:
        """A pane whose needs change (a workspace file opened) says so: ``wants_width``."""
        sig = getattr(dock.widget(), "wants_width", None)
        if sig is not None:
            sig.connect(lambda px, d=dock: self._grant_width(d, px))

    def _grant_preferred_widths(self) -> None:
        """A pane that knows the width its content needs (``preferred_width()``, e.g.
        the dashboard: every vantage column in view) gets it, up to 62 % of the window,
        from its neighbours; the window itself never grows. Default layout only."""
        for dock in self.docks.values():
            w = dock.widget()
            fn = getattr(w, "preferred_width", None)
            if callable(fn):
                self._grant_width(dock, fn())

    def _grant_width(self, dock: QDockWidget, px: int) -> None:
        if self._restored or px <= 0 or dock.isHidden() or dock.isFloating():
            return
        want = min(px, int(self.width() * 0.62))
        if dock.width() >= want:
            return
        # All side-by-side docks at once (one of a tab group stands for the group):
        # Qt applies a lone dock's new size only partly.
        row, groups = [], set()
        for d in self.docks.values():
            if d.isHidden() or d.isFloating():
                continue
            group = frozenset([d, *self.tabifiedDockWidgets(d)])
            if group in groups:
                continue
            groups.add(group)
            row.append(d)
        others = [d for d in row if d is not dock]
        if not others:
            return
        weights = {d: self._specs[k].weight for k, d in self.docks.items()}
        room = max(0, self.width() - want)
        total = sum(weights[d] for d in others)
        sizes = [want if d is dock else room * weights[d] // total for d in row]
        self.resizeDocks(row, sizes, Qt.Orientation.Horizontal)

    def _build_status_bar(self) -> None:
        bar = QStatusBar(self)
        bar.setObjectName("statusbar")
        self.setStatusBar(bar)
        self.workspace_label = IconLabel("workspace", elide=True)
        self.workspace_label.setObjectName("status-workspace")
        # A long path must not set the window's minimum width: it is clipped (full path
        # in the tooltip) before anything else in the status bar.
        self.workspace_label.label.setSizePolicy(
            QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred
        )
        self.workspace_label.label.setMinimumWidth(60)
        self.incident_label = IconLabel("incident", elide=True)
        self.incident_label.setObjectName("status-incident")
        # A long incident title is shortened (whole in the tooltip); it must never widen
        # the window.
        self.incident_label.label.setMinimumWidth(80)
        self.incident_label.label.setMaximumWidth(420)
        self.incident_label.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.clock = ClockLabel()
        # A normal widget, not a permanent one: transient messages (show_message) take
        # its place for a few seconds instead of being squeezed to nothing.
        bar.addWidget(self.workspace_label, 1)
        if self.ctx.demo:
            demo = QLabel("DEMO workspace")
            demo.setObjectName("status-demo")
            demo.setToolTip("Sample data in a temporary workspace, removed when you quit.")
            bar.addPermanentWidget(demo)
        bar.addPermanentWidget(self.incident_label)
        bar.addPermanentWidget(self.clock)
        # Transient messages may be longer than the bar: the whole text is its tooltip
        # while shown, and the last ones stay in a list (the "Messages" button).
        self.recent_messages: list[tuple[datetime, str]] = []
        self.messages_button = QToolButton()
        self.messages_button.setObjectName("status-messages")
        self.messages_button.setText("Messages")
        self.messages_button.setToolTip("The recent status-bar messages, in full")
        self.messages_button.setAutoRaise(True)
        self.messages_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.messages_button.setMenu(QMenu(self.messages_button))
        self.messages_button.setEnabled(False)
        bar.addPermanentWidget(self.messages_button)
        bar.messageChanged.connect(self._status_message)
        self.ctx.status_bar = bar
        self._show_workspace()
        self.set_active_incident(None)

    def _status_message(self, text: str) -> None:
        bar = self.statusBar()
        bar.setToolTip(text)
        if not text:
            return
        self.recent_messages.append((datetime.now(UTC), text))
        del self.recent_messages[:-MAX_MESSAGES]
        menu = self.messages_button.menu()
        menu.clear()
        for when, msg in reversed(self.recent_messages):
            local = when.astimezone()
            act = menu.addAction(f"{local:%H:%M:%S}  {msg}")
            act.setToolTip(msg)
        self.messages_button.setEnabled(True)
        self.messages_button.setText(f"Messages ({len(self.recent_messages)})")

    def _show_workspace(self) -> None:
        path = str(self.ctx.data_dir)
        home = str(Path.home())
        short = "~" + path[len(home) :] if path.startswith(home + "/") else path
        text = f"Workspace: {short}"
        if self.ctx.workspace_file:
            text += f"  ·  {self.ctx.workspace_file.name}"
        self.workspace_label.label.setText(text)
        tip = [f"Data dir: {path}"]
        if self.ctx.store is not None:
            tip.append(f"Database: {self.ctx.store.path}")
        if self.ctx.workspace_file:
            tip.append(f"Workspace file: {self.ctx.workspace_file}")
        if self.ctx.log_path:
            tip.append(f"Log: {self.ctx.log_path}")
        self.workspace_label.setToolTip("\n".join(tip))

    # -- public API ----------------------------------------------------------

    def set_active_incident(self, title: str | None) -> None:
        """Show ``title`` as the active incident in the status bar (None: no incident)."""
        w = self.incident_label
        w.setProperty("active", bool(title))
        w.setToolTip(f"Active incident: {title}" if title else "")
        if title:
            w.label.setText(f"Active incident: {title}")
            w.label.setEnabled(True)
            w.set_icon("incident", QIcon.Mode.Selected)
        else:
            w.label.setText("No active incident")
            w.label.setEnabled(False)
            w.set_icon("incident")
        w.setToolTip(f"Incident id: {self.ctx.active_incident}" if title else "")
        # Dynamic properties only restyle after a re-polish.
        for x in (w, w.label):
            x.style().unpolish(x)
            x.style().polish(x)

    def reset_layout(self) -> None:
        """All panes back, docked side by side, as on first start."""
        if self.isFullScreen():
            self.ctx.actions["fullscreen"].setChecked(False)
        self._own_layout = False  # the default layout again, following the window's width
        self._apply_default()
        self._update_hint()
        log.info("layout reset")

    def restore_layout(self) -> bool:
        """Geometry and dock layout from the settings; False when there was none."""
        geom = settings.WINDOW_GEOMETRY.get(self.ctx.settings)
        state = settings.WINDOW_STATE.get(self.ctx.settings)
        ok = False
        if not geom.isEmpty():
            ok = self.restoreGeometry(geom)
        if not state.isEmpty():
            ok = self.restoreState(state, STATE_VERSION) and ok
        return ok

    def save_layout(self) -> None:
        s = self.ctx.settings
        settings.WINDOW_GEOMETRY.set(s, self.saveGeometry())
        settings.WINDOW_STATE.set(s, self.saveState(STATE_VERSION))
        settings.WINDOW_LAYOUT_OWN.set(s, self.is_own_layout())
        s.sync()

    def visible_panes(self) -> list[str]:
        return [k for k, d in self.docks.items() if not d.isHidden()]

    def set_colour_scheme(self, scheme: str) -> None:
        from warroom.ui.app import apply_palette

        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_palette(app, scheme)
        settings.COLOUR_SCHEME.set(self.ctx.settings, scheme)
        self.ctx.actions[f"scheme_{scheme}"].setChecked(True)
        self.refresh_icons()

    def refresh_icons(self) -> None:
        """Pixmaps made from tinted icons are baked: redraw them after a palette change."""
        for w in (self.workspace_label, self.incident_label):
            w.set_icon(w.icon_name, w.icon_mode)
        for d in self.docks.values():
            t = d.titleBarWidget()
            if isinstance(t, DockTitle):
                t.refresh_icons()

    def open_workspace_file(self) -> None:
        start = str(self.ctx.workspace_file or self.ctx.data_dir)
        name, _ = QFileDialog.getOpenFileName(
            self, "Open workspace file", start, "Workspace files (*.toml);;All files (*)"
        )
        if name:
            self.ctx.set_workspace_file(Path(name))
            self.ctx.show_message(f"Workspace file: {name}")

    def show_shortcuts(self) -> None:
        rows = []
        for act in self.ctx.actions.values():
            keys = ", ".join(
                s.toString(QKeySequence.SequenceFormat.NativeText) for s in act.shortcuts()
            )
            if keys:
                rows.append((act.text().replace("&", ""), keys))
        for d in self.docks.values():
            t = d.toggleViewAction()
            if not t.shortcut().isEmpty():
                rows.append(
                    (
                        f"Show/hide {t.text()}",
                        t.shortcut().toString(QKeySequence.SequenceFormat.NativeText),
                    )
                )
        html = (
            "<table cellpadding=3>"
            + "".join(f"<tr><td>{n}</td><td><b>{k}</b></td></tr>" for n, k in rows)
            + "</table>"
        )
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts", html, parent=self)
        box.setTextFormat(Qt.TextFormat.RichText)
        box.open()

    def show_log(self) -> None:
        if self.ctx.log_path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ctx.log_path.parent)))

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About Warroom",
            f"<b>Warroom {__version__}</b><br>A desktop war room for incident commanders."
            f"<br><br>Workspace: {self.ctx.data_dir}<br>Log: {self.ctx.log_path or '—'}",
        )

    # -- events ------------------------------------------------------------------

    def _set_fullscreen(self, on: bool) -> None:
        if on:
            self.showFullScreen()
        else:
            self.showNormal()

    def _update_hint(self) -> None:
        docked = any(not d.isHidden() and not d.isFloating() for d in self.docks.values())
        self._hint.setVisible(not docked)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "docks"):
            self.refresh_icons()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            # After this frame's children are painted too.
            QTimer.singleShot(0, self.first_painted.emit)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed:
            self._closed = True
            self.save_layout()
            log.info("window closed; panes visible: %s", ", ".join(self.visible_panes()) or "none")
            self.ctx.shutdown()
        super().closeEvent(event)


def window_icon() -> QIcon:
    return icons.icon("app")
