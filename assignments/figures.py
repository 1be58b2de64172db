"""What the branch dashboard and the branch manager's weekly digest count: how a branch's
consultants look after the customers the plans gave them.

Over a period ending today (Seoul days), for each consultant of the branch who has not
left and for the branch as a whole:

- **first contact within the target**: of the customers a plan applied in the period gave
  her, those she reached within `FIRST_CONTACT_DAYS` of that plan (the deadline of her own
  list), those she reached later, those she has not reached past the deadline, and those
  still within it. The rate is "on time" out of the decided (on time, late, missed);
- **offered back**: every customer of hers not reached by the deadline, whenever the plan
  was, which the next plan offers to another consultant (`selectors.first_contact_overdue`);
- **contact rate**: her customers she reached at least once in the period, out of her book;
- her calls, visits and messages of the period, the renewals kept, the complaints and the
  requests for another consultant her contacts recorded;
- for the branch, the contacts of each of the last weeks (a chart) and the month-end
  orphan risk: its customers without an active consultant.

The number of queries is fixed whatever the size of the branch or its book; the
first-contact rows of the period are classified here, in Python, by the same rule as her
list (docs/decisions.md, "The branch dashboard").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, DateField, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncWeek
from django.utils import timezone

from assignments.models import Contact, ContactKind, ContactOutcome, Customer, PoolMember, PoolMemberStatus
from assignments.selectors import assigned_at_subquery, first_contact_overdue
from recruiting.models import Branch

PERIOD_DAYS = 30
CHART_WEEKS = 8


def percent(part: int, whole: int) -> int | None:
    """Return `part` out of `whole` as a whole percentage, or None when there is nothing to count."""
    return round(100 * part / whole) if whole else None


@dataclass
class ConsultantFigures:
    """The figures of one consultant, or of the whole branch when `member` is None."""

    member: PoolMember | None = None
    customers: int = 0
    reached: int = 0
    first_on_time: int = 0
    first_late: int = 0
    first_missed: int = 0
    first_pending: int = 0
    offered_back: int = 0
    calls: int = 0
    visits: int = 0
    messages: int = 0
    renewals_kept: int = 0
    complaints: int = 0
    asked_for_another: int = 0

    COUNTED = (
        "customers",
        "reached",
        "first_on_time",
        "first_late",
        "first_missed",
        "first_pending",
        "offered_back",
        "calls",
        "visits",
        "messages",
        "renewals_kept",
        "complaints",
        "asked_for_another",
    )

    @property
    def contact_rate(self) -> int | None:
        return percent(self.reached, self.customers)

    @property
    def first_decided(self) -> int:
        return self.first_on_time + self.first_late + self.first_missed

    @property
    def first_contact_rate(self) -> int | None:
        return percent(self.first_on_time, self.first_decided)

    def add(self, other: ConsultantFigures) -> None:
        for name in self.COUNTED:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class WeekOfContacts:
    """The contacts of one week (Monday to Sunday) for the chart."""

    monday: date
    met: int
    reached: int
    not_reached: int

    @property
    def total(self) -> int:
        return self.met + self.reached + self.not_reached


@dataclass
class BranchFigures:
    """A branch's figures (every branch when `branch` is None) over `days` days up to `today`."""

    branch: Branch | None
    today: date
    days: int
    consultants: list[ConsultantFigures]
    total: ConsultantFigures
    weeks: list[WeekOfContacts]
    orphan_risk: int
    orphan_risk_overdue: int
    first_contact_days: int = field(default_factory=lambda: settings.FIRST_CONTACT_DAYS)

    @property
    def since(self) -> date:
        return self.today - timedelta(days=self.days - 1)

    @property
    def branches(self) -> list[tuple[Branch, ConsultantFigures]]:
        """Return each branch's totals, in the consultants' order (by branch), for the view of every branch."""
        totals: dict[int, tuple[Branch, ConsultantFigures]] = {}
        for row in self.consultants:
            branch = row.member.branch
            totals.setdefault(branch.pk, (branch, ConsultantFigures()))[1].add(row)
        return list(totals.values())

    @property
    def busiest_week(self) -> int:
        return max((week.total for week in self.weeks), default=0)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def branch_figures(branch: Branch | None, *, today: date, days: int = PERIOD_DAYS) -> BranchFigures:
    """Return the figures of `branch`'s consultants who have not left (every branch's when None)."""
    members = PoolMember.objects.current().select_related("enrollment__applicant", "branch")
    at_risk = Customer.objects.in_book().filter(
        Q(consultant__isnull=True) | ~Q(consultant__status=PoolMemberStatus.ACTIVE)
    )
    if branch is not None:
        members = members.filter(branch=branch)
        at_risk = at_risk.filter(branch=branch)
    rows = {
        member.pk: ConsultantFigures(member=member)
        for member in members.order_by("branch__sort_order", "enrollment__applicant__name", "pk")
    }
    member_ids = members.values("pk")
    customers = Customer.objects.in_book().filter(consultant__in=member_ids)
    since = _start_of(today - timedelta(days=days - 1))
    # The period ends with `today`: the weekly digest counts a week that ended before it is sent.
    until = _start_of(today + timedelta(days=1))

    reached_since = Contact.objects.filter(
        customer=OuterRef("pk"),
        consultant=OuterRef("consultant"),
        reached=True,
        created_at__gte=since,
        created_at__lt=until,
    )
    for consultant_id, count, reached in (
        customers.order_by()
        .values("consultant")
        .annotate(count=Count("pk"), reached=Count("pk", filter=Q(Exists(reached_since))))
        .values_list("consultant", "count", "reached")
    ):
        rows[consultant_id].customers, rows[consultant_id].reached = count, reached

    kinds = {"calls": ContactKind.CALL, "visits": ContactKind.VISIT, "messages": ContactKind.MESSAGE}
    outcomes = {
        "renewals_kept": ContactOutcome.RENEWAL_KEPT,
        "complaints": ContactOutcome.COMPLAINT,
        "asked_for_another": ContactOutcome.ANOTHER_CONSULTANT,
    }
    contact_counts = (
        Contact.objects.filter(consultant__in=member_ids, created_at__gte=since, created_at__lt=until)
        .order_by()
        .values("consultant")
        .annotate(
            **{name: Count("pk", filter=Q(kind=kind)) for name, kind in kinds.items()},
            **{name: Count("pk", filter=Q(outcome=outcome)) for name, outcome in outcomes.items()},
        )
    )
    for counts in contact_counts:
        row = rows[counts.pop("consultant")]
        for name, value in counts.items():
            setattr(row, name, value)

    for consultant_id, count in (
        first_contact_overdue(customers, today=today)
        .order_by()
        .values("consultant")
        .annotate(count=Count("pk"))
        .values_list("consultant", "count")
    ):
        rows[consultant_id].offered_back = count

    first_reached = Contact.objects.filter(
        customer=OuterRef("pk"),
        consultant=OuterRef("consultant"),
        reached=True,
        created_at__gte=OuterRef("assigned_at"),
        created_at__lt=until,
    ).order_by("created_at")
    given_in_period = (
        customers.annotate(assigned_at=assigned_at_subquery(OuterRef("consultant")))
        .filter(assigned_at__gte=since, assigned_at__lt=until)
        .annotate(first_reached_at=Subquery(first_reached.values("created_at")[:1]))
        .values_list("consultant", "assigned_at", "first_reached_at")
    )
    for consultant_id, assigned_at, first_reached_at in given_in_period:
        row = rows[consultant_id]
        deadline = timezone.localdate(assigned_at) + timedelta(days=settings.FIRST_CONTACT_DAYS)
        if first_reached_at is not None:
            if timezone.localdate(first_reached_at) <= deadline:
                row.first_on_time += 1
            else:
                row.first_late += 1
        elif today > deadline:
            row.first_missed += 1
        else:
            row.first_pending += 1

    total = ConsultantFigures()
    for row in rows.values():
        total.add(row)
    risk = at_risk.aggregate(count=Count("pk"), overdue=Count("pk", filter=Q(orphaned_on__lt=today.replace(day=1))))
    return BranchFigures(
        branch=branch,
        today=today,
        days=days,
        consultants=list(rows.values()),
        total=total,
        weeks=_weeks_of_contacts(member_ids, today=today, until=until),
        orphan_risk=risk["count"],
        orphan_risk_overdue=risk["overdue"],
    )


def _weeks_of_contacts(member_ids: QuerySet, *, today: date, until: datetime) -> list[WeekOfContacts]:
    """Return the contacts of the last CHART_WEEKS weeks, this one included, oldest first."""
    this_monday = today - timedelta(days=today.weekday())
    first_monday = this_monday - timedelta(weeks=CHART_WEEKS - 1)
    counted = {
        row["week"]: row
        for row in Contact.objects.filter(
            consultant__in=member_ids, created_at__gte=_start_of(first_monday), created_at__lt=until
        )
        # The Monday in Seoul (the current time zone), as a date.
        .annotate(week=TruncWeek("created_at", output_field=DateField()))
        .order_by()
        .values("week")
        .annotate(
            met_count=Count("pk", filter=Q(kind=ContactKind.VISIT, reached=True)),
            reached_count=Count("pk", filter=Q(reached=True) & ~Q(kind=ContactKind.VISIT)),
            not_reached_count=Count("pk", filter=Q(reached=False)),
        )
    }
    weeks = []
    for index in range(CHART_WEEKS):
        monday = first_monday + timedelta(weeks=index)
        row = counted.get(monday, {})
        weeks.append(
            WeekOfContacts(
                monday=monday,
                met=row.get("met_count", 0),
                reached=row.get("reached_count", 0),
                not_reached=row.get("not_reached_count", 0),
            )
        )
    return weeks
