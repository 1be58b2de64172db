"""Her day: today's visits and calls, the face-to-face goal, its streak of business days, this week's first contacts.

May 2027: Thursday the 13th is Buddha's Birthday, a public holiday.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from assignments.models import ContactKind, Customer
from assignments.selectors import consultant_day, visit_streak
from assignments.services import contact_record
from assignments.tests.workspace_fixtures import book_line, consultant, give_customers  # noqa: F401

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")


def _seoul(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SEOUL)


@pytest.fixture
def customer(member, hana) -> Customer:
    with time_machine.travel(_seoul(date(2027, 5, 3))):
        return give_customers(member, [book_line(1)], actor=hana)[0]


def _visit(member, customer, day: date, *, hour: int = 10, minute: int = 0, **fields) -> None:
    values = {"kind": ContactKind.VISIT, "reached": True} | fields
    with time_machine.travel(_seoul(day, hour, minute)):
        contact_record(consultant=member, customer=customer, **values)


def test_the_streak_counts_business_days_across_a_weekend_and_a_holiday(member, customer):
    for day in [10, 11, 12, 14]:  # Monday to Friday of one week, the holiday on Thursday aside
        _visit(member, customer, date(2027, 5, day))

    assert visit_streak(member, today=date(2027, 5, 14)) == 4
    # Monday morning, before her first visit: the day is not over, so it does not break the streak.
    assert visit_streak(member, today=date(2027, 5, 17)) == 4
    _visit(member, customer, date(2027, 5, 17))
    assert visit_streak(member, today=date(2027, 5, 17)) == 5
    # Tuesday passed without a visit: on Wednesday the streak starts again.
    assert visit_streak(member, today=date(2027, 5, 19)) == 0


def test_only_a_visit_that_met_her_counts(member, customer):
    _visit(member, customer, date(2027, 5, 10))
    _visit(member, customer, date(2027, 5, 11), reached=False)
    _visit(member, customer, date(2027, 5, 11), kind=ContactKind.CALL, hour=15)

    assert visit_streak(member, today=date(2027, 5, 11)) == 1, "Tuesday is still open"
    assert visit_streak(member, today=date(2027, 5, 12)) == 0


def test_a_weekend_visit_neither_counts_nor_breaks(member, customer):
    _visit(member, customer, date(2027, 5, 14))
    _visit(member, customer, date(2027, 5, 15))  # a Saturday

    assert visit_streak(member, today=date(2027, 5, 16)) == 1


def test_days_are_seoul_days(member, customer):
    # Half past midnight in Seoul is still the day before in UTC.
    _visit(member, customer, date(2027, 5, 11), hour=0, minute=30)

    assert visit_streak(member, today=date(2027, 5, 11)) == 1
    assert visit_streak(member, today=date(2027, 5, 12)) == 1, "Tuesday counted; Wednesday is still open"


def test_the_day_counts_todays_visits_calls_and_messages(member, customer):
    _visit(member, customer, date(2027, 5, 11), kind=ContactKind.CALL, reached=False, hour=9)
    _visit(member, customer, date(2027, 5, 11), kind=ContactKind.MESSAGE, hour=9, minute=30)
    _visit(member, customer, date(2027, 5, 10), hour=16)  # yesterday

    day = consultant_day(member, today=date(2027, 5, 11))
    assert (day.visits, day.calls, day.messages, day.goal_met) == (0, 1, 1, False)

    _visit(member, customer, date(2027, 5, 11), hour=11, outcome="coverage_checked")
    day = consultant_day(member, today=date(2027, 5, 11))
    assert (day.visits, day.faces_met, day.goal_met, day.streak) == (1, 1, True, 2)


def test_this_weeks_first_contacts_are_those_due_by_sunday(member, hana):
    with time_machine.travel(_seoul(date(2027, 5, 4))):  # due Tuesday 11 May
        early = give_customers(member, [book_line(1), book_line(2)], actor=hana)
    with time_machine.travel(_seoul(date(2027, 5, 10))):  # due Monday 17 May, next week
        later = [c for c in give_customers(member, [book_line(n) for n in (1, 2, 3)], actor=hana) if c not in early]
    _visit(member, early[1], date(2027, 5, 10))

    day = consultant_day(member, today=date(2027, 5, 10))

    assert [row.customer for row in day.first_contacts_due] == [early[0]]
    assert later, "the second plan gave her a customer due next week"


def test_her_day_page_shows_the_goal_the_streak_and_todays_contacts(client, member, consultant, customer):  # noqa: F811
    for day in [10, 11, 12]:
        _visit(member, customer, date(2027, 5, day))
    _visit(member, customer, date(2027, 5, 14), kind=ContactKind.CALL, hour=9, minute=5)

    with time_machine.travel(_seoul(date(2027, 5, 14), 18)):
        client.force_login(consultant)
        page = client.get("/my/").content.decode()

    assert "하루에 고객 1분은 꼭 얼굴 뵙기" in page
    assert "오늘은 아직" in page
    assert "영업일 3일 연속" in page
    assert "오전 9:05" in page
    assert "5월 14일 (금)" in page


def test_on_a_holiday_the_page_says_it_neither_counts_nor_breaks(client, member, consultant, customer):  # noqa: F811
    with time_machine.travel(_seoul(date(2027, 5, 13), 12)):
        client.force_login(consultant)
        page = client.get("/my/").content.decode()

    assert "오늘은 영업일이 아닙니다" in page
