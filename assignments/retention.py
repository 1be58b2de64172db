"""How long a person's record is kept, for every state she can be in, and the job that destroys it.

One person keeps one record from application to her customers (DESIGN §1), so the rule
that ends it must see her whole life: the application (recruiting), the training
(curriculum) and the pool (here). This module, in the top app, holds that rule once
(`person_retention`), the destruction of everything that names her (`person_destroy`, which
calls each app's part), the daily job, and the replay a restore runs (`destructions_replay`).

The rules, in the words of docs/decisions.md ("Retention of personal data"):
- an open application is kept while it is open; nobody deciding on it for
  APPLICATION_LAPSE_DAYS after its round ends closes it (recruiting.applications_lapse_due);
- an application rejected, withdrawn or lapsed: APPLICANT_RETENTION_DAYS after the outcome,
  or TALENT_POOL_RETENTION_DAYS after her talent-pool consent if that is later;
- a deletion request on an ended application: at the next run;
- a customer of the book who left it: CUSTOMER_RECORD_RETENTION_DAYS after she left
  (assignments.services.book.customers_destroy_due);
- the notice that told a customer of her new manager: its words and the run's letters
  CUSTOMER_NOTICE_RETENTION_DAYS after the run was applied (assignments.services.notices);
- a trainee: kept while in training; TRAINING_RECORD_RETENTION_DAYS after she left or
  graduated (a graduate in the pool: after she left the pool). A deletion request from her
  destroys what only the application needed at once (recruiting.applicant_request_deletion).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone
from wagtail.models import ModelLogEntry

from assignments.models import PoolMember, PoolMemberStatus
from assignments.services import pool_member_anonymise
from assignments.services.book import (
    CUSTOMER,
    customer_access_records_prune,
    customer_anonymise,
    customers_destroy_due,
)
from assignments.services.notices import customer_notices_prune
from core.ledger import LedgerEntry, destruction_record
from core.login_locks import login_records_prune
from curriculum.models import Certificate, Enrollment, EnrollmentEvent, EnrollmentStatus
from curriculum.services import enrollment_anonymise
from recruiting.models import ANONYMISED_NAME, Applicant, ApplicantStatus
from recruiting.pipeline import ENDED_STATUSES, OPEN_STATUSES
from recruiting.services import access_records_prune, applicant_anonymise, applications_lapse_due

logger = logging.getLogger(__name__)

# What a ledger entry names: a person (applicant to consultant); a customer is `CUSTOMER`.
PERSON = "person"

# The key of the optional consent that keeps an ended application longer (consent_defaults).
TALENT_POOL_NOTICE = "talent-pool"


class Rule:
    """The reasons a record is kept or destroyed; a destroyed one's rule goes into the ledger."""

    APPLICATION_OPEN = "application_open"
    APPLICATION_ENDED = "application_ended"
    TALENT_POOL = "talent_pool"
    DELETION_REQUEST = "deletion_request"
    IN_TRAINING = "in_training"
    IN_POOL = "in_pool"
    TRAINING_ENDED = "training_ended"
    POOL_LEFT = "pool_left"


@dataclass(frozen=True)
class Retention:
    rule: str
    # When the record is due for destruction; None while the relationship it serves lasts.
    until: datetime | None


def person_retention(applicant: Applicant) -> Retention:
    """Return the rule that keeps `applicant`'s record and until when, whatever state she is in."""
    if applicant.status in OPEN_STATUSES:
        return Retention(Rule.APPLICATION_OPEN, None)
    if applicant.status in ENDED_STATUSES:
        if applicant.deletion_requested_at is not None:
            return Retention(Rule.DELETION_REQUEST, applicant.deletion_requested_at)
        retention = Retention(
            Rule.APPLICATION_ENDED, applicant.closed_at + timedelta(days=settings.APPLICANT_RETENTION_DAYS)
        )
        pool_consent_at = applicant.consents.filter(
            given=True, notice_version__notice__key=TALENT_POOL_NOTICE
        ).aggregate(at=Max("created_at"))["at"]
        if pool_consent_at is not None:
            pool_until = pool_consent_at + timedelta(days=settings.TALENT_POOL_RETENTION_DAYS)
            if pool_until > retention.until:
                return Retention(Rule.TALENT_POOL, pool_until)
        return retention
    # Enrolled: the training, and after it the pool, hold the record.
    enrollments = list(applicant.enrollments.all())
    if any(enrollment.status == EnrollmentStatus.ACTIVE for enrollment in enrollments):
        return Retention(Rule.IN_TRAINING, None)
    kept_for = timedelta(days=settings.TRAINING_RECORD_RETENTION_DAYS)
    member = PoolMember.objects.filter(enrollment__in=enrollments).order_by("-released_at").first()
    if member is not None:
        if member.status != PoolMemberStatus.LEFT:
            return Retention(Rule.IN_POOL, None)
        left_at = member.events.filter(to_status=PoolMemberStatus.LEFT).aggregate(at=Max("created_at"))["at"]
        # A member who left before pool history was kept has no event: her release is the last date known.
        return Retention(Rule.POOL_LEFT, (left_at or member.released_at) + kept_for)
    ended_at = max(_training_ended_at(enrollment) for enrollment in enrollments)
    return Retention(Rule.TRAINING_ENDED, ended_at + kept_for)


def _training_ended_at(enrollment: Enrollment) -> datetime:
    if enrollment.status == EnrollmentStatus.GRADUATED:
        return enrollment.graduated_at
    left_at = EnrollmentEvent.objects.filter(enrollment=enrollment, to_status=EnrollmentStatus.LEFT).aggregate(
        at=Max("created_at")
    )["at"]
    return left_at or enrollment.enrolled_at


def person_destroy(*, applicant_id: int, rule: str, now: datetime | None = None, replaying: bool = False) -> bool:
    """Destroy everything that names the person of this application; return False if nothing was left to do.

    Her application, training records, certificates (with their files) and pool history
    are emptied in place in one transaction, under her row's lock, and the destruction
    goes into the ledger that a restore replays (`replaying`: the ledger file has it already).
    """
    now = now or timezone.now()
    with transaction.atomic():
        applicant = Applicant.objects.select_for_update().filter(pk=applicant_id, anonymised_at=None).first()
        if applicant is None:
            return False
        applicant_anonymise(applicant=applicant, now=now)
        enrollments = list(Enrollment.objects.select_for_update().filter(applicant=applicant))
        for enrollment in enrollments:
            enrollment_anonymise(enrollment=enrollment)
        members = list(PoolMember.objects.select_for_update().filter(enrollment__applicant=applicant))
        for member in members:
            pool_member_anonymise(member=member)
        certificates = Certificate.objects.filter(enrollment__in=enrollments)
        _admin_log_labels_clear([applicant, *enrollments, *members, *certificates])
        destruction_record(kind=PERSON, object_id=applicant_id, rule=rule, at=now, append_to_file=not replaying)
    return True


def _admin_log_labels_clear(objects: list[models.Model]) -> None:
    # Wagtail's history of an edit (the pool member's capacity, say) keeps the object's
    # name as it was then, in the entry's label.
    for obj in objects:
        ModelLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)).update(
            label=ANONYMISED_NAME, data={}
        )


def people_destroy_due(*, now: datetime | None = None) -> int:
    """Destroy the record of every person whose retention has run out; return how many.

    The query only narrows the candidates cheaply; `person_retention` decides. Running it
    again finds nothing left to do.
    """
    now = now or timezone.now()
    earliest_end = now - timedelta(days=settings.APPLICANT_RETENTION_DAYS)
    candidates = Applicant.objects.filter(anonymised_at=None).filter(
        Q(status__in=ENDED_STATUSES, closed_at__lt=earliest_end)
        | Q(status__in=ENDED_STATUSES, deletion_requested_at__isnull=False)
        | (Q(status=ApplicantStatus.ENROLLED) & ~Q(enrollments__status=EnrollmentStatus.ACTIVE))
    )
    destroyed = 0
    for applicant in candidates.distinct().iterator():
        retention = person_retention(applicant)
        if retention.until is not None and retention.until <= now:
            destroyed += person_destroy(applicant_id=applicant.pk, rule=retention.rule, now=now)
    logger.info("Retention: destroyed the personal data of %d people", destroyed)
    return destroyed


def personal_data_retention(*, now: datetime | None = None) -> dict[str, int]:
    """Run every retention rule once, in order; the daily job. Return what each step did."""
    now = now or timezone.now()
    return {
        "lapsed": applications_lapse_due(today=timezone.localdate(now)),
        "destroyed": people_destroy_due(now=now),
        "customers_destroyed": customers_destroy_due(now=now),
        "customer_notices_emptied": customer_notices_prune(now=now),
        "access_records_deleted": access_records_prune(now=now) + customer_access_records_prune(now=now),
        "login_records_deleted": login_records_prune(now=now),
    }


def destructions_replay(*, entries: Iterable[LedgerEntry]) -> int:
    """Carry out again every destruction of the ledger; return how many records it destroyed now.

    A restored backup may hold people destroyed after its dump was taken: this destroys
    them again, with the rule and time of the first destruction. Those already destroyed
    are left alone.
    """
    replayed = 0
    for entry in entries:
        if entry.kind == PERSON:
            replayed += person_destroy(
                applicant_id=entry.object_id, rule=entry.rule, now=entry.destroyed_at, replaying=True
            )
        elif entry.kind == CUSTOMER:
            replayed += customer_anonymise(
                customer_id=entry.object_id, rule=entry.rule, now=entry.destroyed_at, replaying=True
            )
        else:
            raise ValueError(f"The destruction ledger names an unknown kind: {entry.kind!r}")
    return replayed
