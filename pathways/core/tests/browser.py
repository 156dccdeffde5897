"""Shared helpers for browser tests: Debian's Chromium through Playwright, checked with axe-core.

A test module uses them by registering this module as a plugin and asking for ``browser_page``
(pytest-django's ``live_server`` serves the app; it makes the test use ``transactional_db``)::

    pytest_plugins = ["pathways.core.tests.browser"]
    pytestmark = pytest.mark.browser

    def test_something(browser_page: Page, live_server: LiveServer, referrer: User) -> None:
        sign_in(browser_page, live_server.url, "referrer")
        assert_accessible(browser_page)

The fixtures skip the test, with the reason, when Chromium or axe-core is missing. No browser is
ever downloaded: ``make browser-deps`` installs both. Set ``SCREENSHOTS=1`` to save a full-page
screenshot of every page checked by ``assert_accessible`` into ``test-artifacts/``.

PYTEST_DONT_REWRITE: test modules import the helpers before pytest registers this module as a
plugin, so pytest could not rewrite its asserts anyway (it has none: it fails with pytest.fail).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pathways.accounts.tests.factories import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
TIMEOUT_MS = 10_000


def missing_reason() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return (
            f"browser tests skipped: Debian's Chromium not found at {CHROMIUM} "
            "(apt-get install chromium)"
        )
    if not AXE.exists():
        return f"browser tests skipped: axe-core not found at {AXE} (npm ci)"
    return None


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    """One headless Chromium for the whole run; each test gets its own context."""
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="browser tests skipped: playwright is not installed"
    )
    # Playwright's sync API runs an event loop in this thread, so Django's ORM would refuse
    # the test's own queries (SynchronousOnlyOperation) without this.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(chromium_browser: Browser) -> Iterator[Page]:
    """A fresh page (own cookies) in a British-English, London-time browser context."""
    context = chromium_browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/London"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    # Every message in which Chromium says it refused something under the Content Security
    # Policy; assert_accessible fails on any (no inline script or style anywhere).
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    _csp_violations[id(page)] = violations
    try:
        yield page
    finally:
        context.close()


def sign_in(
    page: Page,
    live_server_url: str,
    username: str,
    password: str = PASSWORD,
    *,
    check_accessibility: bool = True,
) -> None:
    """Sign in through the sign-in page; returns on the page the user lands on."""
    from playwright.sync_api import expect

    page.goto(f"{live_server_url}/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Pathways")
    if check_accessibility:
        assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    # Pathways pages say who is signed in; the Django admin (administrators) says "Log out".
    expect(
        page.get_by_text("Signed in as").or_(page.get_by_role("button", name="Log out"))
    ).to_be_attached()


def sign_out(page: Page) -> None:
    """Use the Sign out button in the service navigation (it posts to /accounts/logout/)."""
    from playwright.sync_api import expect

    page.get_by_role("navigation", name="Menu").get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Pathways")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        nodes = violation.get("nodes") or [{}]
        first = nodes[0]
        target = " ".join(str(part) for part in first.get("target", []))
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f" [{len(nodes)} element(s)]\n"
            f"    first: {target}\n"
            f"    html: {first.get('html', '')}\n"
            f"    see: {violation.get('helpUrl', '')}"
        )
    return "\n".join(lines)


_csp_violations: dict[int, list[str]] = {}


def assert_no_csp_violations(page: Page) -> None:
    refused = _csp_violations.get(id(page), [])
    if refused:
        pytest.fail("Content Security Policy violations:\n" + "\n".join(refused), pytrace=False)


def assert_accessible(page: Page) -> None:
    """Run axe-core's default rules on the page; fail listing every violation. Fail too if
    the browser refused anything under the Content Security Policy so far."""
    save_screenshot(page)
    assert_no_csp_violations(page)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's Content Security Policy
        # does not govern (a <script> tag holding axe would be refused, rightly).
        page.evaluate(AXE.read_text() + "\n;true")
    results = page.evaluate("async () => await axe.run()")
    # axe itself sets inline styles while it measures (colour contrast): not the page's doing.
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 50))")
    _csp_violations.get(id(page), []).clear()
    violations = results["violations"]
    if violations:
        pytest.fail(
            f"{len(violations)} accessibility violation(s) on {page.url} "
            f"({page.title()!r}):\n{_describe(violations)}",
            pytrace=False,
        )


_screenshots: dict[str, int] = {}


def save_screenshot(page: Page) -> Path | None:
    """With SCREENSHOTS=1, save a full-page screenshot to test-artifacts/; else do nothing."""
    if os.environ.get("SCREENSHOTS") != "1":
        return None
    test = os.environ.get("PYTEST_CURRENT_TEST", "browser").split(" ")[0]
    test = re.sub(r"[^A-Za-z0-9_.-]+", "-", test.split("::")[-1]).strip("-")
    count = _screenshots[test] = _screenshots.get(test, 0) + 1
    where = re.sub(r"[^A-Za-z0-9]+", "-", page.url.split("://", 1)[-1].split("/", 1)[-1])
    path = ARTIFACTS / f"{test}-{count:02d}-{where.strip('-') or 'home'}.png"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
