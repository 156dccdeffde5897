"""Every data table of a page sits in its own focusable, labelled scroll container.

WCAG 1.4.10 (reflow): at 320 CSS px the page itself must not scroll sideways. A wide table
may, inside a region a keyboard user can focus and scroll with the arrow keys, named after
the table's caption (or, without one, the heading above it). One place does it for every
template: ``TableScrollMiddleware`` (pathways/core/middleware.py) passes each HTML page
through ``wrap_tables``; the container's CSS is ``.app-table-scroll`` in static/css/app.css.
"""

from __future__ import annotations

import html
import re

SCROLL_CLASS = "app-table-scroll"
_TABLE = re.compile(
    r"<table\b[^>]*\bclass=\"[^\"]*\bgovuk-table\b[^\"]*\"[^>]*>.*?</table>",
    re.DOTALL | re.IGNORECASE,
)
_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption>", re.DOTALL | re.IGNORECASE)
_HEADING = re.compile(r"<h[1-4]\b[^>]*>(.*?)</h[1-4]>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def _label(page: str, start: int, table: str) -> str:
    caption = _CAPTION.search(table)
    if caption and _text(caption.group(1)):
        return _text(caption.group(1))
    headings = [_text(m.group(1)) for m in _HEADING.finditer(page, 0, start)]
    headings = [heading for heading in headings if heading]
    return headings[-1] if headings else "Table"


def wrap_tables(page: str) -> str:
    """The page with each ``govuk-table`` wrapped in a scroll region named after it."""
    if "govuk-table" not in page:
        return page
    out: list[str] = []
    last = 0
    for match in _TABLE.finditer(page):
        out.append(page[last : match.start()])
        label = html.escape(_label(page, match.start(), match.group(0)), quote=True)
        out.append(
            f'<div class="{SCROLL_CLASS}" tabindex="0" role="region" aria-label="{label}">'
            f"{match.group(0)}</div>"
        )
        last = match.end()
    out.append(page[last:])
    return "".join(out)
