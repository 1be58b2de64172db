"""End to end in a real browser: Debian's Chromium driven by Playwright at phone width."""

import re

import pytest
from django.core import mail

from cms.tests.browser import look

# The live server needs a transactional database; serialized_rollback restores what
# the migrations installed (districts, Wagtail's root page) after each flush.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_visitor_on_a_phone_reads_the_public_site(live_server, demo_site, phone):
    phone.goto(live_server.url)
    assert phone.locator("h1").first.is_visible()
    assert phone.get_by_role("link", name="02-2187-2663").first.is_visible()
    look(phone, "home-phone")

    # The skip link is the first stop of the keyboard and takes focus to the content.
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.className") == "skip-link"
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "main"

    phone.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="지점 안내").click()
    phone.get_by_role("link", name="강서CS지점").click()
    assert phone.locator("h1").inner_text() == "강서CS지점"
    assert phone.get_by_role("heading", name="담당 지역").is_visible()
    assert phone.get_by_text("강서구", exact=True).is_visible()
    look(phone, "branch-phone")

    phone.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="CS RC 이야기").click()
    phone.locator(".card__title a").first.click()
    assert phone.locator(".story__person").is_visible()
    assert phone.get_by_role("navigation", name="현재 위치").is_visible()
    look(phone, "story-phone")

    for path, name in [("/training/", "training-phone"), ("/faq/", "faq-phone"), ("/no-such-page/", "404-phone")]:
        phone.goto(live_server.url + path)
        look(phone, name)


def test_an_applicant_applies_on_a_phone_then_withdraws(live_server, demo_site, phone):
    phone.goto(live_server.url + "/training/")
    phone.get_by_role("link", name="지원하기").first.click()
    assert phone.locator("h1").inner_text() == "지원하기"

    # A first try without the required consent is refused in Korean, next to the box.
    phone.get_by_label("성명").fill("김민지")
    phone.get_by_label("휴대전화").fill("010 4321 8765")
    phone.get_by_label("이메일").fill("minji@example.com")
    phone.get_by_label("출생연도").fill("1987")
    phone.get_by_label("시도").select_option(label="서울특별시")
    phone.get_by_label("시군구").select_option(label="강서구")
    assert phone.get_by_label("희망 지점").evaluate("s => s.options[s.selectedIndex].text") == "강서CS지점"
    phone.get_by_label("어떻게 알게 되셨나요?").select_option(label="지인 소개")
    phone.get_by_role("button", name="지원서 제출하기").click()
    assert phone.locator("#form-errors").evaluate("e => e === document.activeElement")
    assert phone.get_by_role("link", name="개인정보 수집·이용 동의").is_visible()
    assert phone.locator("#id_consent_application_error").inner_text() == "필수 항목에 동의하셔야 지원할 수 있습니다."
    assert phone.get_by_label("성명").input_value() == "김민지"
    look(phone, "apply-error-phone")

    phone.locator("#id_consent_application").check()
    phone.get_by_role("button", name="지원서 제출하기").click()
    assert phone.locator("h1").inner_text() == "지원해 주셔서 감사합니다"
    look(phone, "apply-done-phone")

    assert len(mail.outbox) == 1
    status_path = re.search(r"/status/[\w-]+/", mail.outbox[0].body).group(0)
    phone.goto(live_server.url + status_path)
    assert phone.locator(".status-stage").inner_text() == "접수"
    look(phone, "status-phone")
    phone.get_by_role("link", name="지원 철회하기").click()
    phone.get_by_role("button", name="네, 철회합니다").click()
    assert phone.locator(".status-stage").inner_text() == "철회"
    assert phone.get_by_text("지원을 철회했습니다.").is_visible()
    look(phone, "status-withdrawn-phone")
