"""Reflow (WCAG 1.4.10): at 320 CSS px no page of the tour is wider than the screen, wide
tables scroll inside their own focusable region with their caption above it in full, chart
text stays legible (13 px at least), and axe-core stays clean."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from pathways.core.tests.browser import assert_accessible, sign_in
from pathways.core.tests.test_browser_pages import _pages
from pathways.demo.accounts import DEMO_PASSWORD

pytest_plugins = ["pathways.core.tests.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]

WIDTH = 320
PUBLIC = ["/accounts/login/", "/accessibility/", "/privacy/", "/cookies/"]

WIDTH_OF_PAGE = "() => document.documentElement.scrollWidth"
# Every table's scroll region: focusable and named, and the table inside it.
UNWRAPPED_TABLES = """() => Array.from(document.querySelectorAll('table.govuk-table')).filter(
  (t) => {
    const region = t.parentElement;
    return !(region.classList.contains('app-table-scroll') && region.tabIndex === 0
      && region.getAttribute('role') === 'region' && region.getAttribute('aria-label'));
  }).length"""

# A caption seen inside a scroll region scrolls away with its table and is cut off at the
# screen's edge: each is shown above the region instead, whole on the screen.
CAPTIONS_OUT_OF_VIEW = """() => {
  const inside = Array.from(document.querySelectorAll('.app-table-scroll caption')).filter(
    (c) => c.getBoundingClientRect().width > 1);
  const above = Array.from(document.querySelectorAll('.app-table-caption')).filter((c) => {
    const box = c.getBoundingClientRect();
    return box.left < 0 || box.right > window.innerWidth;
  });
  return inside.length + above.length;
}"""
# The smallest chart text as drawn, in CSS px: its font size in the SVG's units times the
# SVG's scale on the screen.
SMALLEST_CHART_TEXT = """() => {
  let smallest = Infinity;
  for (const svg of document.querySelectorAll('svg.app-chart')) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll('text')) {
      smallest = Math.min(smallest, parseFloat(text.getAttribute('font-size')) * scale);
    }
  }
  return smallest === Infinity ? null : smallest;
}"""
SMALLEST_CHART_PX = 13


def _check(page: Page, wide: list[str]) -> None:
    width = page.evaluate(WIDTH_OF_PAGE)
    if width > WIDTH:
        wide.append(f"{page.url}: {width}px")
    if page.evaluate(UNWRAPPED_TABLES):
        wide.append(f"{page.url}: a table outside a labelled, focusable scroll region")
    if page.evaluate(CAPTIONS_OUT_OF_VIEW):
        wide.append(f"{page.url}: a table's caption scrolls with it or is cut off")
    smallest = page.evaluate(SMALLEST_CHART_TEXT)
    if smallest is not None and smallest < SMALLEST_CHART_PX:
        wide.append(f"{page.url}: chart text {smallest:.1f}px")
    assert_accessible(page)


def test_every_page_reflows_at_320_px(browser_page: Page, live_server: LiveServer) -> None:
    call_command("load_demo", verbosity=0)
    browser_page.set_viewport_size({"width": WIDTH, "height": 800})
    wide: list[str] = []
    for path in PUBLIC:
        browser_page.goto(live_server.url + path)
        _check(browser_page, wide)
    for username, paths in _pages().items():
        if username == "admin":
            continue  # the Django admin is Django's own, not a page of the service
        sign_in(browser_page, live_server.url, username, DEMO_PASSWORD)
        for path in paths:
            browser_page.goto(live_server.url + path)
            _check(browser_page, wide)
        # At 320 px "Sign out" is behind the Menu button: end the session by its cookie.
        browser_page.context.clear_cookies()
    assert not wide, "\n".join(wide)
