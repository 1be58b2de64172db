"""A consultant's day on a 360 px phone, in Chromium: she signs in, opens her list, records a visit, sees her streak.

The demo consultant got her customers from the demo's plan today; her morning holds a call
and an unanswered message, and no face-to-face meeting yet. Screenshots land in
VAR_DIR/screenshots/consultant-*.png; the workspace is not the admin, so every page also
passes the accessibility check.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assignments.models import Contact, ContactKind, ContactOutcome
from assignments.selectors import korean_business_day
from cms.demo.loader import DEMO_PASSWORD, demo_consultant
from cms.tests.browser import look

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
TOUCH = 44


def _assert_touchable(locator) -> None:
    for box in [element.bounding_box() for element in locator.all()]:
        assert min(box["height"], box["width"]) >= TOUCH, box


def test_a_consultant_signs_in_records_a_visit_and_sees_her_streak(live_server, demo_site, phone):
    member = demo_consultant()

    # Her workspace sends her to its own sign-in, in Korean, made for a phone.
    phone.goto(live_server.url + "/my/")
    phone.wait_for_url("**/my/login/?next=/my/")
    look(phone, "consultant-login")
    phone.get_by_role("link", name="처음이거나 비밀번호를 잊으셨나요? 비밀번호 정하기").click()
    expect(phone.locator("h1")).to_have_text("비밀번호 정하기")
    look(phone, "consultant-password")
    phone.get_by_role("link", name="로그인으로 돌아가기").click()
    phone.get_by_label("아이디 (휴대폰 번호, 숫자만)").fill(member.user.username)
    phone.get_by_label("비밀번호").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="로그인").click()
    phone.wait_for_url(live_server.url + "/my/")
    expect(phone.locator("h1")).to_have_text(f"{member} 님의 하루")
    expect(phone.locator(".ws-goal__status")).to_contain_text("오늘은 아직")
    _assert_touchable(phone.get_by_role("navigation", name="내 업무").get_by_role("link"))
    look(phone, "consultant-today-morning")

    # Today's list: her customers in the order of what is due, the first contacts first.
    phone.get_by_role("navigation", name="내 업무").get_by_role("link", name="내 고객").click()
    phone.wait_for_url("**/my/customers/")
    rows = phone.locator(".ws-row")
    expect(rows.first).to_contain_text("첫 연락")
    _assert_touchable(phone.locator(".ws-row__link").first)
    look(phone, "consultant-customers")
    name = rows.first.locator(".ws-row__name").inner_text()
    rows.first.locator(".ws-row__link").click()
    expect(phone.locator("h1")).to_have_text(name)

    # Two taps and a note: a visit, then "reached"; the outcome and the note on the way.
    form = phone.locator(".ws-contact")
    form.get_by_text("방문", exact=True).click()
    form.get_by_text("보장점검 완료", exact=True).click()
    form.get_by_label("메모").fill("보장점검 완료. 자녀 실손보험 문의하심")
    _assert_touchable(form.locator(".ws-choice span"))
    _assert_touchable(form.locator(".ws-reached button"))
    form.scroll_into_view_if_needed()
    look(phone, "consultant-contact")
    form.get_by_role("button", name="연락됨").click()

    expect(phone.locator(".messages")).to_contain_text("방문 기록을 저장했습니다.")
    expect(phone.locator(".messages")).to_contain_text("오늘의 목표 달성")
    expect(phone.locator(".ws-timeline__item").first).to_contain_text("보장점검 완료. 자녀 실손보험 문의하심")
    contact = Contact.objects.get(consultant=member, kind=ContactKind.VISIT)
    assert (contact.reached, contact.outcome, contact.customer.name) == (True, ContactOutcome.COVERAGE_CHECKED, name)
    look(phone, "consultant-contact-saved")

    # Her day: the goal met, and the streak of business days it starts (a weekend or holiday counts nothing).
    phone.get_by_role("navigation", name="내 업무").get_by_role("link", name="오늘").click()
    phone.wait_for_url(live_server.url + "/my/")
    expect(phone.locator(".ws-goal__status")).to_contain_text("오늘 목표 달성")
    streak = 1 if korean_business_day(timezone.localdate()) else 0
    expect(phone.locator(".ws-streak")).to_have_text(f"영업일 {streak}일 연속")
    expect(phone.locator(".ws-counts")).to_contain_text("1 방문")
    look(phone, "consultant-day")
