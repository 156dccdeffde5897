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

    html = HTML(string=printable(render_to_string(template, context)))
    # Tagged PDF (PDF/UA-1): a structure tree, the document's language and title, so that
    # screen readers can read it (every template sets <html lang> and <title>).
    return bytes(html.write_pdf(pdf_variant="pdf/ua-1"))
