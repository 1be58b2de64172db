"""A customer on her phone checks the consultant her text message named: a real browser at 360 px."""

import pytest

from assignments.services import pool_member_leave
from cms.tests.browser import look
from cms.tests.conftest import browser, phone  # noqa: F401 - the browser fixtures

# The live server needs a transactional database; serialized_rollback restores what
# the migrations installed (districts, Wagtail's root page) after each flush.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_customer_types_the_code_of_her_message_and_sees_who_it_is(live_server, phone, member, hana):  # noqa: F811
    code = member.verification_code
    phone.goto(live_server.url + "/consultants/verify/")
    assert phone.locator("h1").inner_text() == "컨설턴트 확인"
    look(phone, "consultant-lookup-phone")

    phone.get_by_label("진위 확인 코드").fill(f"{code[:4].lower()} {code[4:8]}-{code[8:]}")
    phone.get_by_role("button", name="확인").click()

    assert (
        phone.locator(".verify__result").inner_text()
        == f"저희 {member.branch.name}CS지점 소속으로 활동 중인 컨설턴트입니다."
    )
    assert phone.get_by_text("김*나").is_visible()
    call = phone.get_by_role("main").get_by_role("link", name=member.branch.phone)
    assert call.get_attribute("href") == "tel:" + member.branch.phone.replace("-", "")
    look(phone, "consultant-verify-phone")

    phone.goto(live_server.url + "/consultants/verify/ABCDEFGHJKMN/")
    assert phone.locator("h1").inner_text() == "확인되지 않는 코드입니다"
    look(phone, "consultant-unknown-phone")

    pool_member_leave(member=member, actor=hana, reason="퇴사")
    phone.goto(live_server.url + f"/consultants/verify/{code}/")
    assert "더 이상 저희 소속이 아닙니다" in phone.locator(".verify__result").inner_text()
    look(phone, "consultant-left-phone")
