"""Every data table of a page sits in its own focusable, labelled scroll container.

WCAG 1.4.10 (reflow): at 320 CSS px the page itself must not scroll sideways. A wide table
may, inside a region a keyboard user can focus and scroll with the arrow keys, named after
the table's caption (or, without one, the heading above it). One place does it for every
template: ``TableScrollMiddleware`` (pathways/core/middleware.py) passes each HTML page
through ``wrap_tables``; the container's CSS is ``.app-table-scroll`` in static/css/app.css.

A caption inside the region would scroll away with the table (and, as wide as the table,
be cut off at the screen's edge), so the caption people see is shown above the region
(``.app-table-caption``, hidden from assistive technology), and the table keeps its
``<caption>``, visually hidden, as its name for assistive technology. A caption already
visually hidden, or holding anything focusable, stays as it is.
"""

from __future__ import annotations

import html
import re

SCROLL_CLASS = "app-table-scroll"
CAPTION_CLASS = "app-table-caption"
_TABLE = re.compile(
    r"<table\b[^>]*\bclass=\"[^\"]*\bgovuk-table\b[^\"]*\"[^>]*>.*?</table>",
    re.DOTALL | re.IGNORECASE,
)
_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption>", re.DOTALL | re.IGNORECASE)
_CAPTION_ELEMENT = re.compile(r"<caption\b([^>]*)>(.*?)</caption>", re.DOTALL | re.IGNORECASE)
_CLASSES = re.compile(r"\bclass=\"([^\"]*)\"", re.IGNORECASE)
_FOCUSABLE = re.compile(r"<(?:a|button|input|select|textarea)\b|\btabindex=", re.IGNORECASE)
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


def _caption_above(table: str) -> tuple[str, str]:
    """(the caption as shown above the scroll region, or nothing; the table, its caption
    visually hidden when it is shown above)."""
    found = _CAPTION_ELEMENT.search(table)
    if found is None:
        return "", table
    attributes, inner = found.group(1), found.group(2)
    classes_found = _CLASSES.search(attributes)
    classes = classes_found.group(1).split() if classes_found else []
    if "govuk-visually-hidden" in classes or not _text(inner) or _FOCUSABLE.search(inner):
        return "", table
    if "govuk-table__caption" not in classes:
        classes.insert(0, "govuk-table__caption")
    shown = f'<p class="{" ".join([*classes, CAPTION_CLASS])}" aria-hidden="true">{inner}</p>'
    hidden = f'<caption class="govuk-visually-hidden">{inner}</caption>'
    return shown, table[: found.start()] + hidden + table[found.end() :]


def wrap_tables(page: str) -> str:
    """The page with each ``govuk-table`` wrapped in a scroll region named after it, its
    caption shown above the region."""
    if "govuk-table" not in page:
        return page
    out: list[str] = []
    last = 0
    for match in _TABLE.finditer(page):
        out.append(page[last : match.start()])
        label = html.escape(_label(page, match.start(), match.group(0)), quote=True)
        caption, table = _caption_above(match.group(0))
        out.append(
            f'{caption}<div class="{SCROLL_CLASS}" tabindex="0" role="region" '
            f'aria-label="{label}">{table}</div>'
        )
        last = match.end()
    out.append(page[last:])
    return "".join(out)
