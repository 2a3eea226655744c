"""The probe dashboard pane (``DashboardPane``): targets x vantages, live."""

from __future__ import annotations

from warroom.ui.dashboard.pane import DashboardPane

__all__ = ["DashboardPane"]
