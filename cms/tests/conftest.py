"""Fixtures of the browser tests: Chromium, the demo site, and a page at each user's width."""

import os

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.management import call_command

from cms.tests.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, TABLET


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
    # The demo applicants' notices are not the test's business.
    mail.outbox.clear()


def _page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="ko-KR", timezone_id="Asia/Seoul")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.fixture
def phone(browser):
    context, page = _page(browser, PHONE)
    yield page
    context.close()


@pytest.fixture
def tablet(browser):
    context, page = _page(browser, TABLET)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context, page = _page(browser, DESKTOP)
    yield page
    context.close()
