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
        '<h2>Other</h2><p class="govuk-table__caption x app-table-caption" aria-hidden="true">'
        "People &amp; <span>places</span></p>"
        '<div class="app-table-scroll" tabindex="0" role="region" aria-label="People &amp; '
        'places"><table class="govuk-table"><caption class="govuk-visually-hidden">People '
        "&amp; <span>places</span></caption><tr><td>1</td></tr></table></div>"
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
    assert '<div class="app-table-scroll" tabindex="0"' in page.content.decode()
    csv = TableScrollMiddleware(lambda request: HttpResponse(body, content_type="text/csv"))(
        factory.get("/")
    )
    assert csv.content.decode() == body


def test_the_caption_is_shown_above_the_scroll_region_and_kept_in_the_table() -> None:
    """At 320 px a caption inside the region would scroll away with a wide table, cut off at
    the screen's edge: people see it above the region; assistive technology reads the
    table's own caption (visually hidden), and is not told it twice."""
    page = (
        '<table class="govuk-table"><caption class="govuk-table__caption '
        'govuk-table__caption--m">Referrals by status</caption><tr><td>1</td></tr></table>'
    )
    wrapped = wrap_tables(page)
    above, region = wrapped.split('<div class="app-table-scroll"')
    assert above == (
        '<p class="govuk-table__caption govuk-table__caption--m app-table-caption" '
        'aria-hidden="true">Referrals by status</p>'
    )
    assert '<caption class="govuk-visually-hidden">Referrals by status</caption>' in region


def test_a_hidden_or_interactive_caption_stays_in_its_table() -> None:
    for caption in (
        '<caption class="govuk-visually-hidden">Hidden</caption>',
        '<caption class="govuk-table__caption">See <a href="/x/">more</a></caption>',
    ):
        page = f'<table class="govuk-table">{caption}</table>'
        wrapped = wrap_tables(page)
        assert wrapped.startswith('<div class="app-table-scroll"')
        assert caption in wrapped
        assert "app-table-caption" not in wrapped
