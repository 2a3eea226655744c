"""Desktop notifications when a target goes down or recovers.

``decide`` is plain Python (tested without a tray); ``TrayNotifier`` shows its notices
through ``QSystemTrayIcon`` when the desktop has a tray, and does nothing otherwise
(offscreen, some Wayland sessions): the dashboard itself still says it all.

A target "goes down" when its first vantage goes down (the others follow in the same
notice when they fall in the same batch) and "recovers" when its last down vantage
comes back. One notice per target per batch; a burst of more than ``MAX_NOTICES``
targets becomes one summary notice, so a network-wide outage does not bury the desktop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSystemTrayIcon

from warroom.domain.probes import State, StateChange

log = logging.getLogger(__name__)

MAX_NOTICES = 3


@dataclass(frozen=True)
class Notice:
    title: str
    message: str
    down: bool  # True: bad news (critical icon); False: recovery


def decide(changes: Iterable[StateChange], down_now: Callable[[str], set[str]]) -> list[Notice]:
    """Notices for one batch. ``down_now(target)`` gives the vantages of a target that
    are down after the batch (the engine's state); the ones down before it are those,
    minus the ones this batch took down, plus the ones it brought back."""
    went_down: dict[str, list[StateChange]] = {}
    recovered: dict[str, list[StateChange]] = {}
    for c in changes:
        if c.new is State.DOWN and c.old is not State.DOWN:
            went_down.setdefault(c.target, []).append(c)
        elif c.old is State.DOWN and c.new is not State.DOWN:
            recovered.setdefault(c.target, []).append(c)

    def down_before(target: str) -> set[str]:
        fell = {c.vantage for c in went_down.get(target, ())}
        rose = {c.vantage for c in recovered.get(target, ())}
        return (down_now(target) - fell) | rose

    down_after = down_now
    notices: list[Notice] = []
    for target, cs in went_down.items():
        if down_before(target):
            continue  # already down via another vantage: already announced
        vs = ", ".join(c.vantage for c in cs)
        err = cs[0].result.error or "down"
        notices.append(Notice(f"{target} is DOWN", f"{target}: down via {vs} ({err})", True))
    for target, cs in recovered.items():
        if down_after(target):
            continue  # still down via another vantage
        vs = ", ".join(c.vantage for c in cs)
        notices.append(Notice(f"{target} recovered", f"{target}: up again via {vs}", False))
    bad = [n for n in notices if n.down]
    good = [n for n in notices if not n.down]
    out: list[Notice] = []
    for group, down in ((bad, True), (good, False)):
        if len(group) > MAX_NOTICES:
            names = [n.title.split(" ")[0] for n in group]
            shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
            what = "are DOWN" if down else "recovered"
            out.append(Notice(f"{len(group)} targets {what}", shown, down))
        else:
            out.extend(group)
    return out


class TrayNotifier(QObject):
    """Shows notices in the system tray; silent where there is none."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = True
        self.shown: list[Notice] = []  # what was shown (or would have been), newest last
        self._tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            from warroom.ui.icons import icon

            self._tray = QSystemTrayIcon(icon("probe"), self)
            self._tray.setToolTip("Warroom probes")
            self._tray.show()

    @property
    def available(self) -> bool:
        return self._tray is not None and QSystemTrayIcon.supportsMessages()

    def notify(self, notices: list[Notice]) -> None:
        if not self.enabled:
            return
        for n in notices:
            self.shown.append(n)
            del self.shown[:-50]
            if self.available and self._tray is not None:
                icon = (
                    QSystemTrayIcon.MessageIcon.Critical
                    if n.down
                    else QSystemTrayIcon.MessageIcon.Information
                )
                self._tray.showMessage(n.title, n.message, icon, 10_000)
            else:
                log.debug("no system tray; notice not shown: %s", n.message)
