"""Assignment runs: plan → approve → apply → undo, pins, stale plans, who may do what, and a leaving consultant."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from assignments.errors import RunError
from assignments.models import (
    Assignment,
    AssignmentRun,
    Customer,
    PlacementReason,
    PoolMember,
    RunStatus,
    RunTrigger,
)
from assignments.services import (
    assignment_run_apply,
    assignment_run_apply_request,
    assignment_run_approve,
    assignment_run_discard,
    assignment_run_plan,
    assignment_run_start,
    assignment_run_undo,
    pool_member_leave,
    pool_member_release,
)
from assignments.services.contacts import contact_record
from assignments.tests.factories import book_csv, import_book, make_pool_graduate
from recruiting.models import District, Province

pytestmark = pytest.mark.django_db
GANGSEO = "서울특별시 강서구 공항대로 247"
YANGCHEON = "서울특별시 양천구 목동로 1"


@pytest.fixture
def consultants(cohort, hana, member) -> list[PoolMember]:
    """Two registered consultants of 강서: `member` (lives in 강서구) and a second who lives in 양천구."""
    enrollment = make_pool_graduate(cohort, 91, actor=hana, registered=True)
    second, _created = pool_member_release(enrollment=enrollment, actor=hana)
    yangcheon = District.objects.get(province=Province.SEOUL, name="양천구")
    type(enrollment.applicant).objects.filter(pk=enrollment.applicant_id).update(district=yangcheon)
    # Capacities as HR sets them for working consultants: room enough that one pin does not
    # tip the balance of load and move others too.
    PoolMember.objects.filter(pk__in=[member.pk, second.pk]).update(capacity=200)
    return [member, second]


@pytest.fixture
def book(hana, consultants):
    """Six customers of 강서 and two of 양천, none assigned."""
    rows = [(f"G{i}", GANGSEO, 10000 * (i + 1)) for i in range(6)] + [(f"Y{i}", YANGCHEON, 50000) for i in range(2)]
    import_book(book_csv(rows), actor=hana)
    return Customer.objects.order_by("number")


def _planned(actor, branch=None) -> AssignmentRun:
    run = assignment_run_start(actor=actor, branch=branch)
    return assignment_run_plan(run_id=run.pk)


def _applied(run: AssignmentRun, actor) -> AssignmentRun:
    assignment_run_approve(run=run, actor=actor)
    assignment_run_apply_request(run=run, actor=actor)
    return assignment_run_apply(run_id=run.pk, actor_id=actor.pk)


def test_it_plans_without_touching_the_book(hana, book, consultants):
    run = _planned(hana)
    assert run.status == RunStatus.PLANNED
    assert run.assignments.count() == 8
    assert run.figures["new"] == 8
    assert len(run.input_hash) == 64
    assert not Customer.objects.filter(consultant__isnull=False).exists(), "a plan changes nothing before it is applied"
    by_number = {a.customer.number: a for a in run.assignments.select_related("customer")}
    assert by_number["Y0"].to_consultant == consultants[1], "the 양천 customers go to the consultant who lives there"
    assert by_number["Y0"].same_district
    assert by_number["G0"].to_consultant is not None


def test_applying_gives_customers_their_consultants_once(hana, book):
    run = _applied(_planned(hana), hana)
    assert run.status == RunStatus.APPLIED
    assert run.figures["applied_changes"] == 8
    placed = dict(Assignment.objects.filter(run=run).values_list("customer_id", "to_consultant_id"))
    assert dict(Customer.objects.values_list("pk", "consultant_id")) == placed
    again = assignment_run_apply(run_id=run.pk, actor_id=hana.pk)
    assert again.status == RunStatus.APPLIED
    assert list(run.events.values_list("to_status", flat=True)) == ["planning", "planned", "approved", "applied"]


def test_the_same_input_gives_the_same_plan(hana, book):
    first, second = _planned(hana), _planned(hana)
    assert first.input_hash == second.input_hash

    def placements(run):
        return list(run.assignments.order_by("customer").values_list("customer", "to_consultant"))

    assert placements(first) == placements(second)


def test_a_rerun_moves_nobody_and_a_pin_holds(hana, book, consultants):
    _applied(_planned(hana), hana)
    pinned = Customer.objects.get(number="G0")
    other = next(c for c in consultants if c != pinned.consultant)
    Customer.objects.filter(pk=pinned.pk).update(pinned_to=other)
    rerun = _planned(hana)
    assert rerun.figures["moved"] == 1, "only the pinned customer moves"
    row = rerun.assignments.get(customer=pinned)
    assert (row.to_consultant, row.placement) == (other, PlacementReason.PINNED)


def test_a_stale_plan_is_not_applied(hana, book, consultants):
    run = _planned(hana)
    assignment_run_approve(run=run, actor=hana)
    # Meanwhile another plan is applied over the same customers.
    _applied(_planned(hana), hana)
    assignment_run_apply_request(run=run, actor=hana)
    run = assignment_run_apply(run_id=run.pk, actor_id=hana.pk)
    assert run.status == RunStatus.APPROVED
    assert "다시" in run.failure


def test_undo_restores_the_consultants_before_and_only_while_nothing_newer_depends_on_it(hana, book):
    first = _applied(_planned(hana), hana)
    before_second = dict(Customer.objects.values_list("pk", "consultant_id"))
    Customer.objects.filter(number="G1").update(pinned_to=Customer.objects.get(number="Y0").consultant)
    second = _applied(_planned(hana), hana)
    with pytest.raises(RunError):
        assignment_run_undo(run=first, actor=hana, reason="잘못된 배정")
    with pytest.raises(RunError):
        assignment_run_undo(run=second, actor=hana, reason="  ")
    undone = assignment_run_undo(run=second, actor=hana, reason="고정 담당을 잘못 지정함")
    assert undone.status == RunStatus.UNDONE
    assert dict(Customer.objects.values_list("pk", "consultant_id")) == before_second
    with pytest.raises(RunError):
        assignment_run_undo(run=second, actor=hana, reason="두 번")


def test_approving_twice_is_refused(hana, book):
    run = _planned(hana)
    assignment_run_approve(run=run, actor=hana)
    with pytest.raises(RunError):
        assignment_run_approve(run=run, actor=hana)


def test_a_discarded_plan_cannot_be_applied(hana, book):
    run = _planned(hana)
    assignment_run_discard(run=run, actor=hana, reason="가중치 조정")
    with pytest.raises(RunError):
        assignment_run_approve(run=run, actor=hana)
    with pytest.raises(RunError):
        assignment_run_apply_request(run=run, actor=hana)


def test_a_branch_manager_plans_and_approves_only_her_branch(mina, bob, hana, gangseo, book):
    run = _planned(mina, branch=gangseo)
    assert run.status == RunStatus.PLANNED
    with pytest.raises(RunError):
        assignment_run_approve(run=run, actor=bob)
    with pytest.raises(RunError):
        assignment_run_start(actor=mina, branch=None)
    assert assignment_run_approve(run=run, actor=mina).status == RunStatus.APPROVED
    hr_run = _planned(hana)
    with pytest.raises(RunError):
        assignment_run_approve(run=hr_run, actor=mina)


def test_roles_without_runs_are_refused(alice, tom, book):
    for person in (alice, tom):
        with pytest.raises(RunError):
            assignment_run_start(actor=person, branch=None)


def test_a_consultant_leaving_queues_a_replan_of_her_branch(
    hana, book, consultants, django_capture_on_commit_callbacks
):
    _applied(_planned(hana), hana)
    leaving = consultants[1]
    her_customers = set(Customer.objects.filter(consultant=leaving).values_list("pk", flat=True))
    assert her_customers
    with django_capture_on_commit_callbacks(execute=True):
        pool_member_leave(member=leaving, actor=hana, reason="퇴사")
    replan = AssignmentRun.objects.get(trigger=RunTrigger.CONSULTANT_AWAY)
    assert replan.status == RunStatus.PLANNED, "the worker planned it; a person still approves it"
    moved = set(
        replan.assignments.exclude(to_consultant=leaving)
        .filter(from_consultant=leaving)
        .values_list("customer", flat=True)
    )
    assert moved == her_customers
    assert replan.figures["moved"] == len(her_customers), "only her customers move"


def test_a_customer_who_asked_for_another_consultant_gets_another_at_the_next_plan(hana, book, consultants):
    _applied(_planned(hana), hana)
    customer = Customer.objects.get(number="Y0")
    first = customer.consultant
    contact_record(consultant=first, customer=customer, kind="call", reached=True, outcome="another_consultant")
    rerun = _planned(hana)
    row = rerun.assignments.get(customer=customer)
    assert row.to_consultant is not None
    assert row.to_consultant != first, "her request is honoured"
    assert rerun.figures["moved"] == 1, "and nobody else moves for it"


def test_a_customer_not_reached_by_the_first_contact_deadline_is_offered_to_another(hana, book, consultants, settings):
    _applied(_planned(hana), hana)
    waiting = Customer.objects.get(number="Y0")
    first = waiting.consultant
    for other in Customer.objects.exclude(pk=waiting.pk):
        contact_record(consultant=other.consultant, customer=other, kind="visit", reached=True)
    contact_record(consultant=first, customer=waiting, kind="call", reached=False)
    reached = Customer.objects.get(number="Y1")
    assert reached.consultant == first
    with time_machine.travel(timezone.now() + timedelta(days=settings.FIRST_CONTACT_DAYS + 1)):
        rerun = _planned(hana)
    row = rerun.assignments.get(customer=waiting)
    assert row.to_consultant not in (None, first)
    assert row.placement == PlacementReason.OFFERED_BACK
    assert rerun.assignments.get(customer=reached).to_consultant == first
    assert rerun.figures["moved"] == 1, "only the customer nobody reached"


def test_a_customer_still_within_the_first_contact_deadline_stays(hana, book, consultants, settings):
    _applied(_planned(hana), hana)
    with time_machine.travel(timezone.now() + timedelta(days=settings.FIRST_CONTACT_DAYS - 1)):
        rerun = _planned(hana)
    assert rerun.figures["moved"] == 0
