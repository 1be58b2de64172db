"""내 고객: her customers only, in the order of what is due, searched and filtered, in a constant number of queries.

The member of 강서 is the consultant; a plan applied on Tuesday 2 March 2027 gave her the
book, and the list is read 100 days later, on Thursday 10 June.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assignments.models import ContactKind, Customer
from assignments.selectors import Due, customer_rows
from assignments.services import contact_record, pool_member_release
from assignments.tests.factories import make_pool_graduate
from assignments.tests.workspace_fixtures import book_line, consultant, give_customers  # noqa: F401

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")
APPLIED = datetime(2027, 3, 2, 10, 0, tzinfo=SEOUL)
TODAY = date(2027, 6, 10)


def _at(days: int, hour: int = 11) -> datetime:
    return APPLIED.replace(hour=hour) + timedelta(days=days)


def _contact(member, customer, *, days: int, reached: bool = True, **fields) -> None:
    with time_machine.travel(_at(days)):
        contact_record(consultant=member, customer=customer, kind=ContactKind.CALL, reached=reached, **fields)


@pytest.fixture
def book(member, hana):
    """Her book, one customer per reason to be listed and two with nothing due."""
    lines = [
        book_line(1, name="가나다"),  # never reached: first contact
        book_line(2, name="라마바", renews_on=(APPLIED + timedelta(days=115)).date()),
        book_line(3, name="사아자"),  # a promise of hers falls due
        book_line(4, name="차카타"),  # reached once, long ago
        book_line(5, name="파하가", renews_on=(APPLIED + timedelta(days=110)).date()),
        book_line(6, name="나다라"),  # reached 50 days ago
        book_line(7, name="가가가"),  # called without an answer: first contact still due
    ]
    with time_machine.travel(APPLIED):
        customers = {customer.number: customer for customer in give_customers(member, lines, actor=hana)}
    _contact(member, customers["W002"], days=80)
    _contact(member, customers["W003"], days=90, next_step="보장 분석 결과 설명", next_step_on=_at(95).date())
    _contact(member, customers["W004"], days=0)
    _contact(member, customers["W005"], days=99)
    _contact(member, customers["W006"], days=50)
    _contact(member, customers["W007"], days=1, reached=False)
    return customers


def test_it_lists_her_customers_in_the_order_of_what_is_due(member, book):
    rows = customer_rows(member, today=TODAY)

    assert [(row.customer.number, row.due and row.due.kind) for row in rows] == [
        ("W007", Due.FIRST_CONTACT),  # 가가가 before 가나다: the same deadline, then by name
        ("W001", Due.FIRST_CONTACT),
        ("W002", Due.RENEWAL),
        ("W003", Due.FOLLOW_UP),
        ("W004", Due.QUIET),
        ("W006", None),
        ("W005", None),
    ]
    first, renewal, follow_up, quiet = rows[1].due, rows[2].due, rows[3].due, rows[4].due
    assert first.on == date(2027, 3, 9), "FIRST_CONTACT_DAYS (7) after the plan was applied"
    assert (first.overdue, first.days_late) == (True, 93)
    assert (renewal.on, renewal.days_left) == (date(2027, 6, 25), 15)
    assert (follow_up.on, follow_up.detail, follow_up.days_late) == (date(2027, 6, 5), "보장 분석 결과 설명", 5)
    assert (quiet.since, quiet.on) == (date(2027, 3, 2), date(2027, 5, 31))


def test_the_first_contact_deadline_follows_the_setting(member, book, settings):
    settings.FIRST_CONTACT_DAYS = 3

    rows = customer_rows(member, today=TODAY)

    assert rows[1].due.on == date(2027, 3, 5)


def test_a_newer_contact_replaces_her_promise(member, book):
    _contact(member, book["W003"], days=100)

    rows = {row.customer.number: row for row in customer_rows(member, today=TODAY)}

    assert rows["W003"].due is None


def test_each_row_says_why_and_when(client, consultant, book):  # noqa: F811
    with time_machine.travel(datetime(2027, 6, 10, 9, 0, tzinfo=SEOUL)):
        client.force_login(consultant)
        page = client.get("/my/customers/").content.decode()

    order = [page.index(words) for words in ["첫 연락", "갱신·만기", "약속한 연락", "오래 연락 못 함", "급한 일 없음"]]
    assert order == sorted(order)
    assert "3월 9일 (화)까지" in page
    assert "93일 지남" in page
    assert "6월 25일 (금)" in page
    assert "15일 남음" in page
    assert "보장 분석 결과 설명" in page
    assert "마지막 연락 3월 2일 (화)" in page
    assert "가나다" in page, "names are whole to her"
    assert "010-5000-0001" in page


def test_she_finds_a_customer_by_part_of_her_name_or_by_mobile_digits(member, book):
    by_name = customer_rows(member, today=TODAY, search="카타")
    by_digits = customer_rows(member, today=TODAY, search="5000-0006")
    by_last_digits = customer_rows(member, today=TODAY, search="0002")
    full_width = customer_rows(member, today=TODAY, search="０００５")

    assert [row.customer.number for row in by_name] == ["W004"]
    assert [row.customer.number for row in by_digits] == ["W006"]
    assert [row.customer.number for row in by_last_digits] == ["W002"]
    assert [row.customer.number for row in full_width] == ["W005"]


def test_she_filters_by_product_line(client, member, consultant, hana):  # noqa: F811
    with time_machine.travel(APPLIED):
        give_customers(member, [book_line(1, line="자동차"), book_line(2), book_line(3, line="일반")], actor=hana)
    client.force_login(consultant)

    page = client.get("/my/customers/", {"line": "auto"}).content.decode()

    assert "W001" not in page  # numbers are not shown; names are
    assert Customer.objects.get(number="W001").name in page
    assert Customer.objects.get(number="W002").name not in page
    assert "고객 1명" in page


def test_bad_search_input_is_refused_in_korean_without_an_error(client, consultant, book):  # noqa: F811
    client.force_login(consultant)

    for query in [{"q": "김\x00"}, {"line": "life"}, {"q": "가" * 51}, {"page": "-1"}, {"page": "abc"}]:
        response = client.get("/my/customers/", query)
        assert response.status_code == 200, query


def test_another_consultants_customer_is_not_there_to_her(client, member, consultant, cohort, hana):  # noqa: F811
    other = pool_member_release(enrollment=make_pool_graduate(cohort, 93, actor=hana, registered=True), actor=hana)[0]
    with time_machine.travel(APPLIED):
        give_customers(member, [book_line(1), book_line(2), book_line(3), book_line(4)], actor=hana)
    theirs = Customer.objects.filter(consultant=other).first()
    mine = Customer.objects.filter(consultant=member).first()
    assert theirs is not None, "the plan shared the book between the two"
    assert mine is not None
    client.force_login(consultant)

    assert client.get(f"/my/customers/{mine.pk}/").status_code == 200
    assert client.get(f"/my/customers/{theirs.pk}/").status_code == 404
    assert client.post(f"/my/customers/{theirs.pk}/contacts/", {"kind": "call", "reached": "yes"}).status_code == 404
    assert client.get("/my/customers/999999/").status_code == 404
    assert theirs.name not in client.get("/my/customers/").content.decode()
    assert not theirs.contacts.exists()


def test_a_customer_who_left_the_book_is_gone_from_her_pages(client, member, consultant, hana):  # noqa: F811
    with time_machine.travel(APPLIED):
        first, second = give_customers(member, [book_line(1), book_line(2)], actor=hana)
    Customer.objects.filter(pk=second.pk).update(left_book_on=TODAY)
    client.force_login(consultant)

    assert client.get(f"/my/customers/{second.pk}/").status_code == 404
    assert second.name not in client.get("/my/customers/").content.decode()


@pytest.mark.parametrize("url", ["/my/", "/my/customers/"])
def test_staff_without_a_place_in_the_pool_are_refused(client, hana, alice, url):
    for person in [hana, alice, get_user_model().objects.create_superuser("root", password="x")]:
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 403
        assert "컨설턴트 전용" in response.content.decode()


def test_anonymous_visitors_are_sent_to_her_sign_in(client):
    response = client.get("/my/customers/")

    assert response.status_code == 302
    assert response["Location"] == "/my/login/?next=/my/customers/"


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _book_of(member, hana, size: int) -> list[Customer]:
    with time_machine.travel(APPLIED):
        customers = give_customers(
            member,
            [book_line(n, renews_on=(APPLIED + timedelta(days=40 + n)).date()) for n in range(size)],
            actor=hana,
        )
    for number, customer in enumerate(customers):
        _contact(member, customer, days=1 + number % 5, reached=number % 2 == 0, next_step_on=_at(8).date())
    return customers


def _page_queries(client, consultant, customers) -> dict[str, int]:  # noqa: F811
    with time_machine.travel(_at(10)):
        client.force_login(consultant)
        return {
            "list": _queries(client, "/my/customers/"),
            "search": _queries(client, "/my/customers/?q=5000&line=long_term"),
            "day": _queries(client, "/my/"),
            "customer": _queries(client, f"/my/customers/{customers[0].pk}/"),
        }


def test_her_pages_hold_the_same_queries_for_5_or_50_customers(client, member, consultant, hana):  # noqa: F811
    few = _page_queries(client, consultant, _book_of(member, hana, 5))
    # The next book holds the first five again, and 45 more.
    many = _page_queries(client, consultant, _book_of(member, hana, 50))

    assert few == many
    assert many == {"list": 6, "search": 6, "day": 8, "customer": 9}
