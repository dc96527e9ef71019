"""Fatal errors. Everything a user can cause and the batch can survive is a Finding instead."""

from __future__ import annotations


class DvkError(Exception):
    """A fatal, user-facing error: its message is one line in Vietnamese that names the place."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class MasterLockedError(DvkError):
    """The master workbook is open or locked elsewhere."""


class MasterBusyError(MasterLockedError):
    """Another dvk run holds the master's lock (dvk_xl/workbook/locking.py): one run at a time per master."""


class DateError(DvkError):
    """A date that cannot be read or does not exist."""
