"""Assignment runs: plan (in the worker) → review → approve → apply (in the worker, in one
transaction) → undo, each step through `core.states` with its actor.

A plan reads the book and the eligible consultants, asks `assignments.engine` for one global
plan and stores every customer's before and after (`Assignment`). Applying writes the
"after" to the customers with set-based updates, but only while every customer still has the
consultant the plan started from: a plan made before another run, an import or a pin changed
the book is refused as stale. Undoing writes the "before" back, under the same condition, so
an undo never overwrites a newer decision.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import asdict, fields
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from assignments import engine
from assignments.errors import RunError
from assignments.geography import distance_km, sigungu_for_district
from assignments.models import (
    Assignment,
    AssignmentRun,
    AssignmentSettings,
    Contact,
    ContactOutcome,
    Customer,
    PoolMember,
    PoolMemberStatus,
    RunStatus,
    RunTrigger,
)
from assignments.selectors import first_contact_overdue
from assignments.services.notices import customer_notices_create
from core.states import state_change, state_start
from recruiting.models import Branch, staff_branch_id

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

# A consultant is "in her n-th month in the pool" counting from her release, 30 days a month.
DAYS_PER_MONTH = 30


def assignment_run_start(
    *, actor: User | None, branch: Branch | None, trigger: str = RunTrigger.STAFF
) -> AssignmentRun:
    """Create a plan over one branch (or every branch, HR only) and queue its computing in the worker."""
    if actor is not None:
        _check_scope(actor, branch, permission="assignments.plan_assignmentrun")
    settings = AssignmentSettings.load()
    # Every knob of the engine is recorded with the run, HR's settings over the engine's defaults.
    parameters = {
        **asdict(engine.PlanParameters()),
        "max_distance_km": settings.max_distance_km,
        "branch_crossing_penalty_km": settings.branch_crossing_penalty_km,
        "keep_bonus_km": settings.keep_bonus_km,
        "ramp": [settings.ramp_month_1, settings.ramp_month_2, settings.ramp_month_3],
    }
    with transaction.atomic():
        run = AssignmentRun.objects.create(branch=branch, trigger=trigger, requested_by=actor, parameters=parameters)
        state_start(run, actor=actor)
        run_id = run.pk
        transaction.on_commit(lambda: async_task(assignment_run_plan, run_id=run_id))
    return run


def assignment_run_plan(*, run_id: int) -> AssignmentRun:
    """Compute a queued plan and store each customer's placement; a run past planning is left alone."""
    with transaction.atomic():
        run = AssignmentRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.PLANNING:
            return run
        try:
            customers, consultants = _engine_input(run)
            parameters = _engine_parameters(run.parameters)
            plan = engine.plan(customers, consultants, distance_km=distance_km, parameters=parameters)
            _store_plan(run, plan, customers, consultants)
        except Exception:
            logger.exception("Assignment run %s failed", run_id)
            transaction.set_rollback(True)
            failed = True
        else:
            failed = False
            figures = _figures(plan)
            state_change(
                run,
                to=RunStatus.PLANNED,
                actor=None,
                changes={"figures": figures, "input_hash": _input_hash(customers, consultants, parameters)},
            )
    if failed:
        with transaction.atomic():
            run = AssignmentRun.objects.select_for_update().get(pk=run_id)
            state_change(
                run,
                to=RunStatus.FAILED,
                actor=None,
                changes={"failure": _("The plan could not be computed; nothing was changed.")},
            )
    return run


def assignment_run_approve(*, run: AssignmentRun, actor: User) -> AssignmentRun:
    """Approve a reviewed plan: HR any plan, a branch manager her branch's plans."""
    _check_scope(actor, run.branch, permission="assignments.approve_assignmentrun")
    run, _event = state_change(run, to=RunStatus.APPROVED, actor=actor, expected=RunStatus.PLANNED)
    return run


def assignment_run_discard(*, run: AssignmentRun, actor: User, reason: str = "") -> AssignmentRun:
    """Set a plan aside without applying it (a newer plan, a wrong parameter)."""
    _check_scope(actor, run.branch, permission="assignments.plan_assignmentrun")
    run, _event = state_change(run, to=RunStatus.DISCARDED, actor=actor, note=reason)
    return run


def assignment_run_apply_request(*, run: AssignmentRun, actor: User) -> bool:
    """Queue the applying of an approved plan in the worker; return False when it was queued already."""
    _check_scope(actor, run.branch, permission="assignments.approve_assignmentrun")
    # A double click queues once: only the first request finds the column empty (the race is settled here).
    claimed = AssignmentRun.objects.filter(
        pk=run.pk, status=RunStatus.APPROVED, apply_requested_at__isnull=True
    ).update(apply_requested_at=timezone.now(), failure="")
    if not claimed:
        if AssignmentRun.objects.filter(pk=run.pk, status=RunStatus.APPROVED).exists():
            return False
        raise RunError(_("Only an approved plan can be applied."))
    run_id, actor_id = run.pk, actor.pk
    transaction.on_commit(lambda: async_task(assignment_run_apply, run_id=run_id, actor_id=actor_id))
    return True


def assignment_run_apply(*, run_id: int, actor_id: int | None) -> AssignmentRun:
    """Give every customer of an approved plan her planned consultant, in one transaction, with the notice
    that tells each customer who has a new one (`services.notices`, sent after commit).

    Applying twice applies once: the second finds the run applied. A stale plan is not
    applied; the run stays approved with the reason, so staff discard it and plan again.
    """
    with transaction.atomic():
        run = AssignmentRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.APPROVED:
            return run
        assignments = Assignment.objects.filter(run=run)
        _lock_customers(run)
        # A customer whose consultant changed since, or who is planned for a consultant no longer active.
        away = assignments.filter(to_consultant__isnull=False).exclude(to_consultant__status=PoolMemberStatus.ACTIVE)
        stale = assignments.filter(
            Q(pk__in=_stale(assignments, current="from_consultant").values("pk")) | Q(pk__in=away.values("pk"))
        ).count()
        if stale:
            message = _("The book changed after this plan was made (%(count)s customers); plan again.") % {
                "count": stale
            }
            AssignmentRun.objects.filter(pk=run.pk).update(failure=message, apply_requested_at=None)
            run.failure = message
            return run
        changed = _set_consultants(run, assignments, to="to_consultant")
        customer_notices_create(run=run)
        figures = {**run.figures, "applied_changes": changed}
        run, _event = state_change(
            run,
            to=RunStatus.APPLIED,
            actor=get_user_model().objects.filter(pk=actor_id).first() if actor_id else None,
            changes={"figures": figures},
        )
    logger.info("Assignment run %s applied: %s customers changed", run_id, changed)
    return run


def assignment_run_undo(*, run: AssignmentRun, actor: User, reason: str) -> AssignmentRun:
    """Give every customer of an applied plan back the consultant she had before it.

    Refused once something newer depends on it: a later plan applied over the same customers,
    or any customer's consultant changed since (the undo would overwrite that decision).
    """
    _check_scope(actor, run.branch, permission="assignments.approve_assignmentrun")
    reason = reason.strip()
    if not reason:
        raise RunError(_("Give the reason for the undo; nothing was changed."))
    with transaction.atomic():
        run = AssignmentRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.APPLIED:
            raise RunError(_("Only an applied plan can be undone."))
        assignments = Assignment.objects.filter(run=run)
        _lock_customers(run)
        later = Assignment.objects.filter(
            run__status=RunStatus.APPLIED, run__pk__gt=run.pk, customer__in=assignments.values("customer")
        ).exists()
        if later or _stale(assignments, current="to_consultant").exists():
            raise RunError(_("A newer change depends on this plan, so it can no longer be undone."))
        changed = _set_consultants(run, assignments, to="from_consultant")
        run, _event = state_change(
            run,
            to=RunStatus.UNDONE,
            actor=actor,
            note=reason,
            changes={"figures": {**run.figures, "undone_changes": changed}},
        )
    return run


def _lock_customers(run: AssignmentRun) -> None:
    """Lock the run's customers, so no other run, import or pin changes them while this one writes."""
    list(Customer.objects.select_for_update(of=("self",)).filter(assignments__run=run).values_list("pk", flat=True))


def _check_scope(actor: User, branch: Branch | None, *, permission: str) -> None:
    if not actor.has_perm(permission):
        raise RunError(_("You may not do this with assignment plans."))
    if actor.has_perm("recruiting.view_all_branches"):
        return
    if branch is None or branch.pk != staff_branch_id(actor):
        raise RunError(_("You may plan and approve only your own branch's assignments."))


def _stale(assignments: QuerySet[Assignment], *, current: str) -> QuerySet[Assignment]:
    """Return the rows whose customer's consultant is no longer the plan's `current` (null-safe)."""
    return assignments.filter(
        Q(**{f"{current}__isnull": True}, customer__consultant__isnull=False)
        | Q(**{f"{current}__isnull": False}, customer__consultant__isnull=True)
        # Not `~Q(... = F())`: Django's negation also matches rows where either side is null.
        | Q(customer__consultant__lt=F(current))
        | Q(customer__consultant__gt=F(current))
    )


def _set_consultants(run: AssignmentRun, assignments: QuerySet[Assignment], *, to: str) -> int:
    """Give each moving customer her planned (`to_consultant`) or former (`from_consultant`) consultant.

    Return how many customers changed.
    """
    moving = assignments.exclude(
        Q(from_consultant=F("to_consultant")) | Q(from_consultant__isnull=True, to_consultant__isnull=True)
    )
    planned = Assignment.objects.filter(run=run, customer=OuterRef("pk")).values(to)[:1]
    return Customer.objects.filter(pk__in=moving.values("customer")).update(consultant=Subquery(planned))


def _engine_parameters(parameters: dict) -> engine.PlanParameters:
    return engine.PlanParameters(**{field.name: parameters[field.name] for field in fields(engine.PlanParameters)})


def _engine_input(run: AssignmentRun) -> tuple[list[engine.CustomerInput], list[engine.ConsultantInput]]:
    """Read the customers and the eligible consultants of the run's scope as the engine takes them."""
    today = timezone.localdate()
    ramp = run.parameters["ramp"]
    members = PoolMember.objects.assignable().filter(capacity__gt=0)
    customers = Customer.objects.in_book()
    if run.branch_id:
        members = members.filter(branch_id=run.branch_id)
        # Her branch's customers, and customers anywhere whose consultant works in her branch; a
        # customer of the branch kept by an active consultant of another branch stays out of it.
        customers = customers.filter(
            Q(consultant__branch_id=run.branch_id)
            | Q(branch_id=run.branch_id) & (Q(consultant__isnull=True) | ~Q(consultant__status=PoolMemberStatus.ACTIVE))
        )
    consultants = []
    for member_id, branch_id, capacity, released_at, province, district in members.values_list(
        "pk",
        "branch_id",
        "capacity",
        "released_at",
        "enrollment__applicant__district__province",
        "enrollment__applicant__district__name",
    ).order_by("pk"):
        home = sigungu_for_district(province, district)
        if home is None:
            continue
        months = (today - timezone.localtime(released_at).date()).days // DAYS_PER_MONTH + 1
        percent = ramp[min(months, len(ramp)) - 1]
        consultants.append(
            engine.ConsultantInput(id=member_id, branch_id=branch_id, home=home, capacity=capacity * percent // 100)
        )
    # A customer who asked for another consultant (recorded as a contact's outcome) is
    # never planned to that consultant again; the keep arc to her goes too.
    refused = defaultdict(set)
    for customer_id, consultant_id in Contact.objects.filter(
        outcome=ContactOutcome.ANOTHER_CONSULTANT, customer__in=customers
    ).values_list("customer_id", "consultant_id"):
        refused[customer_id].add(consultant_id)
    # A customer her consultant has not reached by the first-contact deadline is offered
    # to the others (a pin stays a pin: a person chose that consultant).
    offered_back = set(
        first_contact_overdue(customers.filter(pinned_to__isnull=True), today=today).values_list("pk", flat=True)
    )
    book = [
        engine.CustomerInput(
            id=pk,
            sigungu=sigungu or None,
            segment=main_line,
            premium=premium,
            branch_id=branch_id,
            current=consultant_id,
            pinned=pinned_id,
            refused=frozenset(refused.get(pk, ())),
            offered_back=pk in offered_back,
        )
        for pk, sigungu, main_line, premium, branch_id, consultant_id, pinned_id in customers.values_list(
            "pk", "sigungu", "main_line", "premium", "branch_id", "consultant_id", "pinned_to_id"
        ).order_by("pk")
    ]
    return book, consultants


def _store_plan(
    run: AssignmentRun,
    plan: engine.Plan,
    customers: list[engine.CustomerInput],
    consultants: list[engine.ConsultantInput],
) -> None:
    """Write one Assignment row per customer of the plan, in one statement whatever the book's size.

    A plan of 100,000 customers spent most of its time building model objects for
    `bulk_create`; the rows go to the database as plain tuples instead (COPY on
    PostgreSQL, one `executemany` elsewhere), with the "before" the engine was given.
    """
    capacity = {consultant.id: consultant.capacity for consultant in consultants}
    current = {customer.id: customer.current for customer in customers}
    rows = []
    for customer_id, placement in plan.placements.items():
        to = placement.consultant
        reason = placement.reason
        if engine.Reason.PIN_UNAVAILABLE in placement.notes:
            # A customer whose pin could not be kept says so, whatever else became of her.
            reason = engine.Reason.PIN_UNAVAILABLE
        elif engine.Reason.OFFERED_BACK in placement.notes and to is not None and to != current[customer_id]:
            reason = engine.Reason.OFFERED_BACK
        rows.append(
            (
                run.pk,
                customer_id,
                current[customer_id],
                to,
                str(reason),
                placement.distance_km,
                placement.same_sigungu,
                placement.same_branch,
                plan.loads[to].count if to is not None else 0,
                capacity.get(to, 0),
            )
        )
    if not rows:
        return
    table = Assignment._meta.db_table
    columns = ", ".join(
        Assignment._meta.get_field(name).column
        for name in (
            "run",
            "customer",
            "from_consultant",
            "to_consultant",
            "placement",
            "distance_km",
            "same_district",
            "same_branch",
            "load",
            "capacity",
        )
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is PostgreSQL's bulk path: a plan of 100,000 customers took 3 s as row inserts.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(rows[0]))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


def _figures(plan: engine.Plan) -> dict:
    figures = plan.figures
    return {
        "assigned": figures.assigned,
        "unassigned_by_reason": dict(figures.unassigned_by_reason),
        "moved": figures.moved,
        "new": figures.new,
        "total_distance_km": round(figures.total_distance_km, 1),
        "load_cv": round(figures.load_cv, 3),
        "premium_cv": round(figures.premium_cv, 3),
        "solver_seconds": round(figures.solver_seconds, 3),
    }


def _input_hash(
    customers: list[engine.CustomerInput],
    consultants: list[engine.ConsultantInput],
    parameters: engine.PlanParameters,
) -> str:
    digest = hashlib.sha256()
    for customer in customers:
        digest.update(
            repr(
                (
                    customer.id,
                    customer.sigungu,
                    customer.segment,
                    customer.premium,
                    customer.branch_id,
                    customer.current,
                    customer.pinned,
                    sorted(customer.refused),
                    customer.offered_back,
                )
            ).encode()
        )
    for consultant in consultants:
        digest.update(repr((consultant.id, consultant.branch_id, consultant.home, consultant.capacity)).encode())
    digest.update(json.dumps(asdict(parameters), sort_keys=True).encode())
    return digest.hexdigest()
