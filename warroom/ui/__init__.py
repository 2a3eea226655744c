"""The GUI. Importing it first works around a PySide reference bug (see ``qtfix``)."""

from warroom.ui import qtfix as _qtfix

_qtfix.apply()
