"""PDF documents: a template rendered to HTML, then to PDF by WeasyPrint. The templates
share the print styles in ``core/_print_styles.html``. Characters a document cannot hold
(control characters, saved before the forms refused them) become spaces first
(``core.text.printable``)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from pathways.core.text import printable


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported here: it loads system libraries

    return bytes(HTML(string=printable(render_to_string(template, context))).write_pdf())
