"""The branch dashboard: first contacts within the target, contact rates, customers offered back,
renewals kept and complaints, per consultant and for the branch; and who may see which branch.

The plan gives the 강서 consultant her customers on Monday 3 May 2027 at 10:00 (Seoul); the
first contact is due within 7 days, by Monday the 10th.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from assignments.figures import branch_figures
from assignments.models import ContactKind, ContactOutcome, Customer
from assignments.services import contact_record, pool_member_release
from assignments.tests.factories import make_pool_graduate
from assignments.tests.workspace_fixtures import book_line, consultant, give_customers  # noqa: F401
from curriculum.models import Cohort
from recruiting.models import Branch

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")
URL = "/admin/branch-dashboard/"


def _seoul(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SEOUL)


@pytest.fixture
def customers(member, hana) -> list[Customer]:
    with time_machine.travel(_seoul(date(2027, 5, 3))):
        return give_customers(member, [book_line(number) for number in range(1, 5)], actor=hana)


def _contact(member, customer, day: date, **fields) -> None:
    values = {"kind": ContactKind.CALL, "reached": True} | fields
    with time_machine.travel(_seoul(day)):
        contact_record(consultant=member, customer=customer, **values)


@pytest.fixture
def worked(member, customers):
    """On time (the 4th, and the 10th, the last day), late (the 12th), never reached, and a complaint."""
    first, second, third, fourth = customers
    _contact(member, first, date(2027, 5, 4), kind=ContactKind.VISIT, outcome=ContactOutcome.RENEWAL_KEPT)
    _contact(member, second, date(2027, 5, 10), outcome=ContactOutcome.COMPLAINT)
    _contact(member, third, date(2027, 5, 12), kind=ContactKind.MESSAGE)
    _contact(member, fourth, date(2027, 5, 5), reached=False)
    return customers


class TestFigures:
    def test_it_sorts_first_contacts_by_the_deadline_of_her_list(self, member, worked, gangseo):
        figures = branch_figures(gangseo, today=date(2027, 5, 14))

        [row] = figures.consultants
        assert row.member == member
        assert (row.first_on_time, row.first_late, row.first_missed, row.first_pending) == (2, 1, 1, 0)
        assert row.first_contact_rate == 50
        assert row.offered_back == 1, "the customer she never reached goes back to the next plan"
        assert (row.customers, row.reached, row.contact_rate) == (4, 3, 75)
        assert (row.visits, row.calls, row.messages) == (1, 2, 1)
        assert (row.renewals_kept, row.complaints, row.asked_for_another) == (1, 1, 0)
        assert figures.total.first_on_time == 2
        assert figures.total.customers == 4

    def test_a_customer_within_the_deadline_is_pending_not_missed(self, member, customers, gangseo):
        _contact(member, customers[0], date(2027, 5, 4))

        [row] = branch_figures(gangseo, today=date(2027, 5, 10)).consultants

        assert (row.first_on_time, row.first_missed, row.first_pending, row.offered_back) == (1, 0, 3, 0)
        assert row.first_contact_rate == 100

    def test_the_period_leaves_out_older_plans_and_contacts(self, member, worked, gangseo):
        [row] = branch_figures(gangseo, today=date(2027, 7, 1)).consultants

        assert row.first_decided == 0
        assert row.first_contact_rate is None
        assert (row.calls, row.visits, row.reached, row.contact_rate) == (0, 0, 0, 0)
        assert row.offered_back == 1, "until a plan moves her, the customer nobody reached stays offered back"

    def test_the_chart_counts_each_week_of_contacts(self, member, worked, gangseo):
        weeks = branch_figures(gangseo, today=date(2027, 5, 14)).weeks

        assert len(weeks) == 8
        assert weeks[-1].monday == date(2027, 5, 10)
        assert (weeks[-2].met, weeks[-2].reached, weeks[-2].not_reached) == (1, 0, 1)
        assert (weeks[-1].met, weeks[-1].reached, weeks[-1].not_reached) == (0, 2, 0)

    def test_another_branch_has_none_of_her_figures(self, member, worked):
        figures = branch_figures(Branch.objects.get(slug="branch-1"), today=date(2027, 5, 14))

        assert figures.consultants == []
        assert figures.total.customers == 0


class TestPage:
    def test_a_branch_manager_sees_her_branch(self, client, mina, member, worked):
        with time_machine.travel(_seoul(date(2027, 5, 14))):
            client.force_login(mina)
            page = client.get(URL).content.decode()
        assert str(member) in page
        assert "2/4 (50%)" in page
        assert "2027년 4월 15일" in page
        assert "2027년 5월 14일" in page

    def test_a_branch_manager_cannot_ask_for_another_branch(self, client, bob, member, worked, gangseo):
        client.force_login(bob)
        page = client.get(URL, {"branch": gangseo.pk}).content.decode()
        assert str(member) not in page

    def test_hr_chooses_a_branch_or_all_and_a_wrong_choice_is_404(self, client, hana, member, worked, gangseo):
        client.force_login(hana)
        every_branch = client.get(URL).content.decode()
        # Every branch in a row each; a branch's consultants one by one when she chooses it.
        assert f'<a href="?branch={gangseo.pk}">{gangseo}</a>' in every_branch
        assert str(member) not in every_branch
        assert str(member) in client.get(URL, {"branch": gangseo.pk}).content.decode()
        other = Branch.objects.get(slug="branch-1")
        assert str(member) not in client.get(URL, {"branch": other.pk}).content.decode()
        for wrong in ("999999", "abc", "<script>", "1 OR 1=1"):
            assert client.get(URL, {"branch": wrong}).status_code == 404

    @pytest.mark.parametrize("persona", ["alice", "tom"])
    def test_roles_without_the_book_are_refused(self, client, persona, request):
        client.force_login(request.getfixturevalue(persona))
        response = client.get(URL)
        # Wagtail answers a refused admin page by sending the person to the admin's home.
        assert (response.status_code, response["Location"]) == (302, "/admin/")

    def test_a_consultant_is_sent_to_the_admin_sign_in(self, client, consultant):  # noqa: F811 - the fixture
        client.force_login(consultant)
        assert client.get(URL)["Location"].startswith("/admin/login/")

    def test_its_queries_do_not_grow_with_the_branch(
        self, client, mina, member, cohort, hana, django_assert_num_queries
    ):
        client.force_login(mina)
        give_customers(member, [book_line(number) for number in range(1, 3)], actor=hana)
        client.get(URL)
        with django_assert_num_queries(QUERIES):
            client.get(URL)
        Cohort.objects.filter(pk=cohort.pk).update(capacity=50)
        for number in range(92, 95):
            pool_member_release(enrollment=make_pool_graduate(cohort, number, actor=hana, registered=True), actor=hana)
        give_customers(member, [book_line(number) for number in range(3, 40)], actor=hana)
        with django_assert_num_queries(QUERIES):
            client.get(URL)


QUERIES = 18
