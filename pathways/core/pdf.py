"""PDF documents: a template rendered to HTML, then to PDF by WeasyPrint. The templates
share the print styles in ``core/_print_styles.html``."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported here: it loads system libraries

    return bytes(HTML(string=render_to_string(template, context)).write_pdf())
