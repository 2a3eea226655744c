"""Two kinds of failure, kept apart on purpose.

A ``WarroomError`` is something the user or the environment can fix (a bad file, an
unwritable directory, a missing keyring): it is shown as one line and never as a
traceback. Anything else is a bug and is logged with its traceback.
"""

from __future__ import annotations


class WarroomError(Exception):
    """A known, user-facing failure. ``str(err)`` is the one line shown to the user."""

    exit_code = 1

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class UsageError(WarroomError):
    """Bad command-line arguments or values (exit 2, like argparse)."""

    exit_code = 2


class StoreError(WarroomError):
    """The workspace database cannot be opened, read or written safely."""


class NotFound(WarroomError):
    """An incident, entry or other record that does not exist."""


class ValidationError(WarroomError):
    """A value breaks a domain rule (empty text, milestones out of order...)."""

    exit_code = 2
