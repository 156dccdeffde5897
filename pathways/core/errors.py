"""Domain errors raised by services; views turn them into clear messages."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the service refused the change. The message is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotPermitted(DomainError):
    """The acting user's role may not make this change."""


class StateChanged(DomainError):
    """The record changed since the user loaded it (for example a concurrent decision)."""


class RuleBroken(DomainError):
    """The change would break one of the service's rules."""


class ProcessingRestricted(RuleBroken):
    """Processing of the person's records is restricted: nothing may change or leave."""

    def __init__(self) -> None:
        super().__init__(
            "Processing of this person's records is restricted, so nothing about them can be "
            "changed or exported. The service manager can lift the restriction."
        )
