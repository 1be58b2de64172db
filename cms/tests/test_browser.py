"""End to end in a real browser: Debian's Chromium driven by Playwright at phone width.

Screenshots land in VAR_DIR/screenshots/ for people to look at.
"""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command

# The live server needs a transactional database; serialized_rollback restores what
# the migrations installed (districts, Wagtail's root page) after each flush.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without these, Chromium keeps trying to reach Google's services from a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 780}
SCREENSHOTS = settings.VAR_DIR / "screenshots"


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("E2E_REQUIRED"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own
    # database calls are still synchronous, which Django must be told.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def demo_site(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))
    settings.DEBUG = False
    caches["pages"].clear()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="ko-KR")
    page = context.new_page()
    yield page
    context.close()


def _look(page, name: str) -> None:
    """Save a screenshot, fail on horizontal scrolling and on any accessibility violation."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-top.png")
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{name} scrolls sideways"
    results = Axe().run(page)
    assert results.violations_count == 0, f"{name}:\n{results.generate_report()}"


def test_a_visitor_on_a_phone_reads_the_public_site(live_server, demo_site, phone):
    phone.goto(live_server.url)
    assert phone.locator("h1").first.is_visible()
    assert phone.get_by_role("link", name="02-2187-2663").first.is_visible()
    _look(phone, "home-phone")

    # The skip link is the first stop of the keyboard and takes focus to the content.
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.className") == "skip-link"
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "main"

    phone.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="지점 안내").click()
    phone.get_by_role("link", name="강서 CS지점").click()
    assert phone.locator("h1").inner_text() == "강서CS지점"
    assert phone.get_by_role("heading", name="담당 지역").is_visible()
    assert phone.get_by_text("강서구", exact=True).is_visible()
    _look(phone, "branch-phone")

    phone.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="CS RC 이야기").click()
    phone.locator(".card__title a").first.click()
    assert phone.locator(".story__person").is_visible()
    assert phone.get_by_role("navigation", name="현재 위치").is_visible()
    _look(phone, "story-phone")

    for path, name in [("/training/", "training-phone"), ("/faq/", "faq-phone"), ("/no-such-page/", "404-phone")]:
        phone.goto(live_server.url + path)
        _look(phone, name)
