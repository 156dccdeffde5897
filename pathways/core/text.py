"""Control characters in text: which ones a form refuses, and the one cleaning every
document writer applies.

A control character (Unicode category ``Cc``: C0, DELETE and C1) cannot be seen and means
nothing in a name or a note; a word processor's line break (vertical tab) is a common one
pasted in. Forms refuse them: single-line text refuses every one, multi-line text allows
tab and line breaks (a browser sends a text area's line breaks as CR LF). XLSX (XML) cannot
hold most of them at all and PDF shows nothing sensible for them, so every writer of XLSX,
CSV and PDF passes its text through ``printable``, which also covers text saved before the
forms refused it.

Only the standard library is imported here.
"""

from __future__ import annotations

import re

__all__ = ["has_control_characters", "printable"]

# Characters allowed in multi-line text (and kept by ``printable``).
LINE_CHARACTERS = "\t\n\r"

_CONTROL = "\x00-\x1f\x7f-\x9f"
_ANY_CONTROL = re.compile(f"[{_CONTROL}]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# XML 1.0 (so XLSX) cannot hold these either: lone surrogates and the two non-characters.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """The text holds a control character: any at all, or for multi-line text any but
    tab, line feed and carriage return."""
    pattern = _CONTROL_BUT_LINES if multiline else _ANY_CONTROL
    return pattern.search(text) is not None


def printable(text: str) -> str:
    """The text with every character a document cannot hold made a space: control
    characters other than tab and line breaks, lone surrogates, U+FFFE and U+FFFF. A space
    rather than nothing, because a pasted vertical tab or form feed was a line break."""
    if not (_CONTROL_BUT_LINES.search(text) or _NOT_XML.search(text)):
        return text
    return _NOT_XML.sub(" ", _CONTROL_BUT_LINES.sub(" ", text))
