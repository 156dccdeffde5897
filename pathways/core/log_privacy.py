"""Exception messages never reach the logs: they can quote what a person typed (an XLSX
writer's error quotes the cell, a database error the row), so personal data would follow.

``WithholdExceptionText`` (a filter on every log handler, config/settings.py ``LOGGING``)
replaces a record's exception with a stand-in of the same module and name whose message is
withheld, keeping the traceback's frames (file, line and code, never local variables) and
the chain of causes. Any formatter then writes the type and where it happened, not the
message. An exception logged as the message, or as an argument to it, is logged as its
type alone.
"""

from __future__ import annotations

import logging
from types import TracebackType

__all__ = ["WITHHELD", "WithholdExceptionText", "withheld"]

WITHHELD = "(message withheld: it can hold personal data)"


class WithheldException(Exception):
    """The base of the stand-ins: an exception whose message has been withheld."""


_stand_in_classes: dict[type[BaseException], type[WithheldException]] = {}


def _stand_in_class(cls: type[BaseException]) -> type[WithheldException]:
    if issubclass(cls, WithheldException):
        return cls
    made = _stand_in_classes.get(cls)
    if made is None:
        made = type(
            cls.__name__,
            (WithheldException,),
            {"__module__": cls.__module__, "__qualname__": cls.__qualname__},
        )
        _stand_in_classes[cls] = made
    return made


def withheld(error: BaseException, _seen: dict[int, BaseException] | None = None) -> BaseException:
    """A stand-in for ``error`` and its causes: same module, name and frames, no message."""
    if isinstance(error, WithheldException):
        return error
    seen = {} if _seen is None else _seen
    if id(error) in seen:
        return seen[id(error)]
    stand_in = _stand_in_class(type(error))(WITHHELD).with_traceback(error.__traceback__)
    seen[id(error)] = stand_in
    if error.__cause__ is not None:
        stand_in.__cause__ = withheld(error.__cause__, seen)
    if error.__context__ is not None:
        stand_in.__context__ = withheld(error.__context__, seen)
    stand_in.__suppress_context__ = error.__suppress_context__
    return stand_in


class WithholdExceptionText(logging.Filter):
    """Keeps every record, with its exception's message withheld (see the module)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            stand_in = withheld(record.exc_info[1])
            tb: TracebackType | None = record.exc_info[2]
            record.exc_info = (type(stand_in), stand_in, tb)
            record.exc_text = None  # a formatter may have cached the message already
        if isinstance(record.msg, BaseException):
            record.msg = type(record.msg).__name__
        if isinstance(record.args, tuple) and any(
            isinstance(arg, BaseException) for arg in record.args
        ):
            record.args = tuple(
                type(arg).__name__ if isinstance(arg, BaseException) else arg for arg in record.args
            )
        elif isinstance(record.args, dict):
            record.args = {
                key: type(arg).__name__ if isinstance(arg, BaseException) else arg
                for key, arg in record.args.items()
            }
        return True
