"""A contact in two taps and a note: recorded once, refused in Korean when it may not be kept, on the timeline."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assignments.errors import ContactError
from assignments.models import Contact, ContactKind, ContactOutcome, Customer, PoolMember
from assignments.selectors import customer_timeline
from assignments.services import (
    assignment_run_apply,
    assignment_run_apply_request,
    assignment_run_approve,
    assignment_run_plan,
    assignment_run_start,
    contact_record,
    pool_member_release,
    pool_member_return,
    pool_member_take_leave,
)
from assignments.services.book import customer_anonymise
from assignments.tests.factories import make_pool_graduate
from assignments.tests.workspace_fixtures import book_line, consultant, give_customers  # noqa: F401

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")
# A Wednesday.
NOW = datetime(2027, 3, 10, 14, 5, tzinfo=SEOUL)
HANGUL = re.compile("[가-힣]")


@pytest.fixture
def customer(member, hana) -> Customer:
    with time_machine.travel(NOW - timedelta(days=2)):
        customers = give_customers(member, [book_line(1, name="김서연"), book_line(2)], actor=hana)
    return customers[0]


@pytest.fixture
def signed_in(client, consultant):  # noqa: F811
    with time_machine.travel(NOW, tick=False):
        client.force_login(consultant)
        yield client


def _post(client, customer, **data):
    return client.post(f"/my/customers/{customer.pk}/contacts/", data)


def test_she_records_a_visit_in_two_taps_and_a_note(signed_in, member, customer):
    form = signed_in.get(f"/my/customers/{customer.pk}/?kind=visit").content.decode()
    assert re.search(r'value="visit"[^>]*checked', form), "the visit button she tapped is chosen"

    response = _post(
        signed_in, customer, kind="visit", reached="yes", outcome="coverage_checked", note="자녀 보험도 문의하심"
    )

    assert response.status_code == 302
    assert response["Location"] == f"/my/customers/{customer.pk}/"
    contact = Contact.objects.get()
    assert (contact.consultant, contact.customer, contact.kind, contact.reached, contact.outcome) == (
        member,
        customer,
        ContactKind.VISIT,
        True,
        ContactOutcome.COVERAGE_CHECKED,
    )
    page = signed_in.get(response["Location"]).content.decode()
    assert "방문 기록을 저장했습니다." in page
    assert "오늘의 목표 달성" in page
    assert "자녀 보험도 문의하심" in page
    assert "3월 10일 (수) 오후 2:05" in page, "Seoul time, the Korean way"


def test_a_promise_needs_its_day_and_shows_on_the_timeline(signed_in, customer):
    _post(signed_in, customer, kind="call", reached="yes", next_step="갱신 안내", next_step_on="2027-03-15")

    page = signed_in.get(f"/my/customers/{customer.pk}/").content.decode()

    assert Contact.objects.get().next_step_on == date(2027, 3, 15)
    assert "다음 약속 3월 15일 (월): 갱신 안내" in page


REFUSALS = {
    "no kind": ({"reached": "yes"}, None),
    "an unknown kind": ({"kind": "fax", "reached": "yes"}, None),
    "no reached button": ({"kind": "call"}, "연락됨 또는 연락 안 됨을 눌러 주세요."),
    "a forged reached value": ({"kind": "call", "reached": "maybe"}, None),
    "an outcome without reaching her": (
        {"kind": "call", "reached": "no", "outcome": "renewal_kept"},
        "연락이 닿았을 때만 결과를 고를 수 있습니다.",
    ),
    "an unknown outcome": ({"kind": "call", "reached": "yes", "outcome": "sold"}, None),
    "a registration number in the note": (
        {"kind": "call", "reached": "yes", "note": "주민번호 850101-1234567 받음"},
        "주민등록번호는 입력하지 마세요.",
    ),
    "a full-width one in the next step": (
        {"kind": "call", "reached": "yes", "next_step": "８５０１０１－１２３４５６７", "next_step_on": "2027-03-12"},
        "주민등록번호는 입력하지 마세요.",
    ),
    "a null character": ({"kind": "call", "reached": "yes", "note": "메모\x00"}, None),
    "a note too long": ({"kind": "call", "reached": "yes", "note": "가" * 501}, None),
    "a next step without its day": (
        {"kind": "call", "reached": "yes", "next_step": "재방문"},
        "다음 할 일의 날짜를 정해 주세요.",
    ),
    "a day in the past": (
        {"kind": "call", "reached": "yes", "next_step_on": "2027-03-09"},
        "다음 할 날은 오늘부터 1년 안으로 정해 주세요.",
    ),
    "a day more than a year ahead": (
        {"kind": "call", "reached": "yes", "next_step_on": "2028-04-01"},
        "다음 할 날은 오늘부터 1년 안으로 정해 주세요.",
    ),
    "a day that does not exist": ({"kind": "call", "reached": "yes", "next_step_on": "2027-02-30"}, None),
}


@pytest.mark.parametrize(("data", "message"), REFUSALS.values(), ids=REFUSALS.keys())
def test_bad_input_is_refused_in_korean_and_nothing_is_saved(signed_in, customer, data, message):
    response = _post(signed_in, customer, **data)

    assert response.status_code == 200
    page = response.content.decode()
    errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
    assert errors, "the page says what is wrong"
    assert all(HANGUL.search(error) for error in errors), errors
    if message:
        assert message in page
    assert not Contact.objects.exists()


def test_a_double_tap_records_one_contact(signed_in, customer):
    data = {"kind": "call", "reached": "no"}

    first = _post(signed_in, customer, **data)
    with time_machine.travel(NOW + timedelta(seconds=3), tick=False):
        second = _post(signed_in, customer, **data)
        page = signed_in.get(second["Location"]).content.decode()

    assert first.status_code == second.status_code == 302
    assert Contact.objects.count() == 1
    assert "방금 기록한 연락과 같아 한 번만 저장했습니다." in page


def test_the_same_contact_a_minute_later_is_a_second_one(signed_in, customer):
    _post(signed_in, customer, kind="call", reached="no")
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        _post(signed_in, customer, kind="call", reached="no")

    assert Contact.objects.count() == 2


def test_the_service_refuses_what_no_form_sends(member, customer):
    hostile = [
        {"kind": "call", "reached": "yes"},  # a string where a yes or no belongs
        {"kind": "CALL", "reached": True},
        {"kind": "call", "reached": True, "outcome": "refund"},
        {"kind": "call", "reached": True, "note": "메모\x00"},
    ]
    for values in hostile:
        with pytest.raises(ContactError):
            contact_record(consultant=member, customer=customer, **values)
    assert not Contact.objects.exists()


def test_a_customer_a_plan_moved_away_meanwhile_is_refused(member, customer, cohort, hana):
    other = pool_member_release(enrollment=make_pool_graduate(cohort, 94, actor=hana, registered=True), actor=hana)[0]
    page_seen_by_her = Customer.objects.get(pk=customer.pk)
    Customer.objects.filter(pk=customer.pk).update(consultant=other)

    with pytest.raises(ContactError, match="담당 고객이 아닙니다"):
        contact_record(consultant=member, customer=page_seen_by_her, kind=ContactKind.CALL, reached=True)

    assert not Contact.objects.exists()


def _plan_and_apply(hana):
    run = assignment_run_plan(run_id=assignment_run_start(actor=hana, branch=None).pk)
    assignment_run_approve(run=run, actor=hana)
    assignment_run_apply_request(run=run, actor=hana)
    return assignment_run_apply(run_id=run.pk, actor_id=hana.pk)


def test_the_timeline_shows_every_contact_newest_first_and_who_looked_after_her(client, member, consultant, hana):  # noqa: F811
    before = pool_member_release(
        enrollment=make_pool_graduate(member.enrollment.cohort, 95, actor=hana, registered=True), actor=hana
    )[0]
    PoolMember.objects.filter(pk=before.pk).update(capacity=500)
    pool_member_take_leave(member=member, actor=hana, reason="교육")
    with time_machine.travel(NOW - timedelta(days=30)):
        (customer,) = give_customers(before, [book_line(1, name="김서연")], actor=hana)
    with time_machine.travel(NOW - timedelta(days=20)):
        contact_record(consultant=before, customer=customer, kind=ContactKind.CALL, reached=True, note="이전 담당 메모")
    pool_member_return(member=member, actor=hana)
    pool_member_take_leave(member=before, actor=hana, reason="휴직")
    with time_machine.travel(NOW - timedelta(days=10)):
        _plan_and_apply(hana)
    customer.refresh_from_db()
    assert customer.consultant == member
    with time_machine.travel(NOW):
        contact_record(consultant=member, customer=customer, kind=ContactKind.VISIT, reached=True, note="첫 방문")
        client.force_login(consultant)
        page = client.get(f"/my/customers/{customer.pk}/").content.decode()

    entries = customer_timeline(customer)
    assert [entry.contact.note if entry.contact else entry.assignment.to_consultant for entry in entries] == [
        "첫 방문",
        member,
        "이전 담당 메모",
        before,
    ]
    timeline = ["첫 방문", "내 고객으로 배정", "이전 담당 메모", f"{before} 컨설턴트에게 배정"]
    order = [page.index(words) for words in timeline]
    assert order == sorted(order)
    assert f"{before} 기록" in page, "a contact of the consultant before her says whose it was"


def test_saving_a_contact_holds_the_same_queries_for_a_small_or_large_book(signed_in, member, hana):
    def queries_of_a_save(customer) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert _post(signed_in, customer, kind="visit", reached="yes", note="방문").status_code == 302
        return len(queries)

    with time_machine.travel(NOW - timedelta(days=2)):
        small = give_customers(member, [book_line(n) for n in range(5)], actor=hana)
    few = queries_of_a_save(small[0])
    with time_machine.travel(NOW - timedelta(days=1)):
        large = give_customers(member, [book_line(n) for n in range(50)], actor=hana)
    many = queries_of_a_save(large[-1])

    assert few == many
    assert many <= 12


def test_destroying_a_customer_empties_what_was_written_about_her(member, customer):
    contact_record(
        consultant=member,
        customer=customer,
        kind=ContactKind.CALL,
        reached=True,
        note="병원 입원 중",
        next_step="퇴원 후 연락",
        next_step_on=date.today() + timedelta(days=3),
    )

    customer_anonymise(customer_id=customer.pk, rule="left_book", now=datetime.now(tz=SEOUL))

    contact = Contact.objects.get()
    assert (contact.note, contact.next_step) == ("", "")
