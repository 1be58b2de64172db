"""What the consultant's workspace reads: her customers in the order of what is due, a customer's
timeline, and her day (today's contacts, the face-to-face goal and its streak).

Each read is a fixed number of queries whatever the size of her book: her customers come in
one query with what decides their due date annotated (her last reached contact, her latest
promise, the next renewal, when the plan gave her the customer), and the rest is worked out
here in Python over that one list (docs/decisions.md, "The consultant's day").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import holidays
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from assignments.models import (
    Assignment,
    AssignmentRunEvent,
    Contact,
    ContactKind,
    Contract,
    Customer,
    PoolMember,
    RunStatus,
)

# A renewal or maturity this close is listed, unless she reached the customer within as many days before it.
RENEWAL_WINDOW_DAYS = 30
# A customer she has not reached for this long is listed again.
QUIET_DAYS = 90
# The goal of the day, a team leader's rule in the article: "하루에 고객 1분은 꼭 얼굴 뵙기".
DAILY_VISITS_GOAL = 1
# How far back the streak is counted: a year of business days is more than anyone needs to see.
STREAK_LOOKBACK_DAYS = 366
# How many of a customer's contacts her page shows, newest first.
TIMELINE_CONTACTS = 100


class Due:
    """Why a customer is listed, most pressing first (the order of her list)."""

    FIRST_CONTACT = "first_contact"
    RENEWAL = "renewal"
    FOLLOW_UP = "follow_up"
    QUIET = "quiet"
    ORDER = (FIRST_CONTACT, RENEWAL, FOLLOW_UP, QUIET)


@dataclass(frozen=True)
class DueReason:
    """One reason a customer is listed, and the day it is about.

    `on` is the deadline of a first contact, the day of a renewal or of a promised next
    step, or the day a customer became quiet; `days_left` counts from today (negative
    when the day has passed).
    """

    kind: str
    on: date
    days_left: int
    # The promised next step of a follow-up, or the day of the last reached contact of a quiet customer.
    detail: str = ""
    since: date | None = None

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_late(self) -> int:
        return -self.days_left


@dataclass
class CustomerRow:
    """One of her customers with the reasons she is listed, most pressing first (none when nothing is due)."""

    customer: Customer
    reasons: list[DueReason] = field(default_factory=list)

    @property
    def due(self) -> DueReason | None:
        return self.reasons[0] if self.reasons else None


def _local_date(value: datetime | None) -> date | None:
    return timezone.localdate(value) if value else None


def her_customers(member: PoolMember, *, today: date) -> QuerySet[Customer]:
    """Return the customers in `member`'s book, each annotated with what decides when she is due.

    `assigned_at`: when the applied plan that gave her to `member` was applied (the latest
    such plan that moved her; a plan that kept her changes nothing). `last_reached_at`:
    `member`'s last contact that reached her. `next_step`, `next_step_on`: the promise of
    `member`'s latest contact (a newer contact replaces an older promise). `next_renewal_on`:
    the nearest renewal or maturity from today.
    """
    contacts = Contact.objects.filter(customer=OuterRef("pk"), consultant=member).order_by("-created_at", "-pk")
    renewal = Contract.objects.filter(customer=OuterRef("pk"), renews_on__gte=today).order_by("renews_on")
    return (
        Customer.objects.in_book()
        .filter(consultant=member)
        .annotate(
            assigned_at=assigned_at_subquery(member),
            last_reached_at=Subquery(contacts.filter(reached=True).values("created_at")[:1]),
            next_step=Subquery(contacts.values("next_step")[:1]),
            next_step_on=Subquery(contacts.values("next_step_on")[:1]),
            next_renewal_on=Subquery(renewal.values("renews_on")[:1]),
        )
    )


def assigned_at_subquery(consultant: PoolMember | OuterRef) -> Subquery:
    """Return when the latest applied plan that gave the customer (OuterRef "pk") to `consultant` was applied.

    A plan that kept her with the same consultant changes nothing, so it does not count.
    """
    applied_at = AssignmentRunEvent.objects.filter(run=OuterRef("run"), to_status=RunStatus.APPLIED).values(
        "created_at"
    )[:1]
    return Subquery(
        Assignment.objects.filter(customer=OuterRef("pk"), to_consultant=consultant, run__status=RunStatus.APPLIED)
        .exclude(from_consultant=consultant)
        .order_by("-run_id")
        .annotate(applied_at=Subquery(applied_at))
        .values("applied_at")[:1]
    )


def first_contact_overdue(customers: QuerySet[Customer], *, today: date) -> QuerySet[Customer]:
    """Return the customers whose consultant has not reached them FIRST_CONTACT_DAYS after a plan gave them to her.

    Only a customer given by an applied plan has a deadline: one given by other means is
    listed as due in the consultant's list, without a deadline to miss. The next plan
    offers these customers to other consultants (`assignments.services.runs`), and the
    branch dashboard counts them.
    """
    deadline_passed = timezone.make_aware(
        datetime.combine(today - timedelta(days=settings.FIRST_CONTACT_DAYS), datetime.min.time())
    )
    reached = Contact.objects.filter(customer=OuterRef("pk"), consultant=OuterRef("consultant"), reached=True)
    return (
        customers.filter(consultant__isnull=False)
        .annotate(assigned_at=assigned_at_subquery(OuterRef("consultant")))
        .filter(assigned_at__lt=deadline_passed)
        .exclude(Exists(reached))
    )


def due_reasons(customer: Customer, *, today: date) -> list[DueReason]:
    """Return why a customer annotated by `her_customers` is due, most pressing first.

    - first contact: the consultant has not reached her yet (an unanswered call does not
      count); due FIRST_CONTACT_DAYS after the plan that gave her the customer was applied;
    - renewal: a renewal or maturity within RENEWAL_WINDOW_DAYS that she has not talked
      about with the customer yet (no reached contact within as many days before it);
    - follow-up: the next step her latest contact promised falls today or earlier;
    - quiet: her last reached contact is QUIET_DAYS old or more.
    """
    reasons = []
    last_reached = _local_date(customer.last_reached_at)
    if last_reached is None:
        # A customer given to her by other means than a plan is due from today.
        assigned = _local_date(customer.assigned_at) or today
        deadline = assigned + timedelta(days=settings.FIRST_CONTACT_DAYS)
        reasons.append(DueReason(Due.FIRST_CONTACT, deadline, (deadline - today).days))
    renewal = customer.next_renewal_on
    if renewal and (renewal - today).days <= RENEWAL_WINDOW_DAYS:
        if last_reached is None or last_reached < renewal - timedelta(days=RENEWAL_WINDOW_DAYS):
            reasons.append(DueReason(Due.RENEWAL, renewal, (renewal - today).days))
    if customer.next_step_on and customer.next_step_on <= today:
        step_on = customer.next_step_on
        reasons.append(DueReason(Due.FOLLOW_UP, step_on, (step_on - today).days, detail=customer.next_step))
    if last_reached is not None and (today - last_reached).days >= QUIET_DAYS:
        quiet_on = last_reached + timedelta(days=QUIET_DAYS)
        reasons.append(DueReason(Due.QUIET, quiet_on, (quiet_on - today).days, since=last_reached))
    return reasons


def _sort_key(row: CustomerRow) -> tuple:
    due = row.due
    if due is None:
        return (len(Due.ORDER), date.max, row.customer.name, row.customer.pk)
    return (Due.ORDER.index(due.kind), due.on, row.customer.name, row.customer.pk)


def customer_rows(member: PoolMember, *, today: date, search: str = "", product_line: str = "") -> list[CustomerRow]:
    """Return her customers in the order of what is due: by reason (Due.ORDER), then by day, then by name.

    `search` finds a name (any part of it) or, when it is all digits, a mobile number
    holding them; `product_line` keeps the customers with a contract of that line.
    """
    customers = her_customers(member, today=today)
    search = search.strip()
    # Digits of any script count as digits (a full-width ０１０ too), as the mobile was stored in ASCII.
    digits = "".join(str(unicodedata.decimal(c)) for c in search if unicodedata.decimal(c, None) is not None)
    if search and digits and len(digits) == len(search.replace("-", "").replace(" ", "")):
        customers = customers.filter(mobile__contains=digits)
    elif search:
        customers = customers.filter(name__icontains=search)
    if product_line:
        customers = customers.filter(
            Exists(Contract.objects.filter(customer=OuterRef("pk"), product_line=product_line))
        )
    rows = [CustomerRow(customer, due_reasons(customer, today=today)) for customer in customers]
    return sorted(rows, key=_sort_key)


@dataclass(frozen=True)
class TimelineEntry:
    """One event of a customer's timeline: a contact, or a plan that gave her a consultant."""

    at: datetime
    contact: Contact | None = None
    assignment: Assignment | None = None


def customer_timeline(customer: Customer) -> list[TimelineEntry]:
    """Return the customer's contacts (by any consultant) and the applied plans that moved her, newest first."""
    contacts = customer.contacts.select_related("consultant__enrollment__applicant")[:TIMELINE_CONTACTS]
    applied_at = AssignmentRunEvent.objects.filter(run=OuterRef("run"), to_status=RunStatus.APPLIED).values(
        "created_at"
    )[:1]
    assignments = (
        Assignment.objects.filter(customer=customer, run__status=RunStatus.APPLIED)
        .annotate(applied_at=Subquery(applied_at))
        .select_related("from_consultant__enrollment__applicant", "to_consultant__enrollment__applicant")
    )
    entries = [TimelineEntry(at=contact.created_at, contact=contact) for contact in contacts]
    entries += [
        TimelineEntry(at=assignment.applied_at, assignment=assignment)
        for assignment in assignments
        if assignment.moves and assignment.applied_at
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


@dataclass(frozen=True)
class Day:
    """A consultant's day: what she did today, her face-to-face goal and streak, and what is still due."""

    today: date
    contacts: list[Contact]
    streak: int
    first_contacts_due: list[CustomerRow]
    follow_ups_due: list[CustomerRow]
    business_day: bool

    def count(self, kind: str) -> int:
        return sum(contact.kind == kind for contact in self.contacts)

    @property
    def visits(self) -> int:
        return self.count(ContactKind.VISIT)

    @property
    def calls(self) -> int:
        return self.count(ContactKind.CALL)

    @property
    def messages(self) -> int:
        return self.count(ContactKind.MESSAGE)

    @property
    def faces_met(self) -> int:
        """Return how many reached visits she made today (the goal counts these)."""
        return sum(contact.kind == ContactKind.VISIT and contact.reached for contact in self.contacts)

    @property
    def goal_met(self) -> bool:
        return self.faces_met >= DAILY_VISITS_GOAL


def korean_business_day(day: date, korean_holidays: holidays.HolidayBase | None = None) -> bool:
    """Return whether `day` is a business day: a weekday that is not a Korean public holiday."""
    korean_holidays = korean_holidays if korean_holidays is not None else holidays.country_holidays("KR")
    return day.weekday() < 5 and day not in korean_holidays


def visit_streak(member: PoolMember, *, today: date) -> int:
    """Return how many business days in a row, up to today, she met at least one customer face to face.

    Weekends and Korean public holidays neither count nor break the streak; today counts
    once she has met someone, and does not break it before the day is over.
    """
    since = today - timedelta(days=STREAK_LOOKBACK_DAYS)
    met_days = set(
        Contact.objects.filter(consultant=member, kind=ContactKind.VISIT, reached=True, created_at__date__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values_list("day", flat=True)
        .distinct()
    )
    korean_holidays = holidays.country_holidays("KR", years=range(since.year, today.year + 1))
    streak, day = 0, today
    while day >= since:
        if korean_business_day(day, korean_holidays):
            if day in met_days:
                streak += 1
            elif day != today:
                break
        day -= timedelta(days=1)
    return streak


def consultant_day(member: PoolMember, *, today: date) -> Day:
    """Return her day: today's contacts, the streak, and the first contacts and promises still due this week."""
    contacts = list(Contact.objects.filter(consultant=member, created_at__date=today).select_related("customer"))
    rows = customer_rows(member, today=today)
    week_ends = today + timedelta(days=6 - today.weekday())
    return Day(
        today=today,
        contacts=contacts,
        streak=visit_streak(member, today=today),
        first_contacts_due=[
            row for row in rows if row.due and row.due.kind == Due.FIRST_CONTACT and row.due.on <= week_ends
        ],
        follow_ups_due=[row for row in rows if any(reason.kind == Due.FOLLOW_UP for reason in row.reasons)],
        business_day=korean_business_day(today),
    )
