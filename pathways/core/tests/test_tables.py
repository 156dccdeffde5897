"""Every govuk-table of a page is wrapped in its own labelled, focusable scroll region."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory

from pathways.core.middleware import TableScrollMiddleware
from pathways.core.tables import wrap_tables


def test_a_table_is_wrapped_and_named_after_its_caption() -> None:
    page = (
        '<h2>Other</h2><table class="govuk-table"><caption class="x">People &amp; '
        "<span>places</span></caption><tr><td>1</td></tr></table>"
    )
    wrapped = wrap_tables(page)
    assert wrapped == (
        '<h2>Other</h2><div class="app-table-scroll" tabindex="0" role="region" '
        'aria-label="People &amp; places">' + page.removeprefix("<h2>Other</h2>") + "</div>"
    )


def test_a_table_without_a_caption_is_named_after_the_heading_above_it() -> None:
    page = (
        '<h1>Caseload</h1><h2 class="m">Your <b>people</b></h2>'
        '<table class="govuk-table govuk-!-margin-bottom-2"></table><p>after</p>'
    )
    wrapped = wrap_tables(page)
    assert 'aria-label="Your people"><table class="govuk-table' in wrapped
    assert wrapped.endswith("</table></div><p>after</p>")


def test_each_of_two_tables_has_its_own_region() -> None:
    page = (
        '<table class="govuk-table"><caption>A</caption></table>'
        '<table class="govuk-table"><caption>B</caption></table>'
    )
    wrapped = wrap_tables(page)
    assert wrapped.count('class="app-table-scroll"') == 2
    assert 'aria-label="A"' in wrapped and 'aria-label="B"' in wrapped


def test_other_tables_and_pages_are_left_alone() -> None:
    page = "<table><tr><td>PDF layout</td></tr></table>"
    assert wrap_tables(page) == page


def test_the_middleware_wraps_html_pages_only() -> None:
    body = '<table class="govuk-table"><caption>A</caption></table>'
    factory = RequestFactory()
    page = TableScrollMiddleware(lambda request: HttpResponse(body))(factory.get("/"))
    assert page.content.decode().startswith('<div class="app-table-scroll" tabindex="0"')
    csv = TableScrollMiddleware(lambda request: HttpResponse(body, content_type="text/csv"))(
        factory.get("/")
    )
    assert csv.content.decode() == body
