"""Every write that changes an applicant's status or has a side effect (DESIGN §3)."""

import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from cms.models import ConsentNotice
from recruiting.emails import send_templated_email
from recruiting.models import (
    ENDED_STATUSES,
    Applicant,
    ApplicantConsent,
    ApplicantEvent,
    ApplicantStatus,
    Branch,
    District,
    Notification,
    NotificationKind,
    RecruitmentRound,
)

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """A request the rules do not allow; the message is for the person who asked."""


def _queue_notification(notification: Notification) -> None:
    # After commit, so the worker finds the rows; the task takes the id and re-reads.
    transaction.on_commit(lambda: async_task("recruiting.tasks.notification_send", notification.pk))


def applicant_submit(
    *,
    round: RecruitmentRound,
    name: str,
    mobile: str,
    email: str,
    birth_year: int,
    district: District,
    preferred_branch: Branch,
    source: str,
    motivation: str = "",
    preferred_times: list[str] | None = None,
    consents: dict[ConsentNotice, bool],
) -> tuple[Applicant, bool]:
    """Record an application, or return the live one this mobile already has in the round.

    Returns (applicant, created). A double click, a retry or a second tab finds the
    first application; two submits racing each other are settled by the database's
    unique constraint, and the loser returns the winner's row.
    """
    existing = _live_application(round=round, mobile=mobile)
    if existing is not None:
        return existing, False
    if not round.is_open():
        raise ApplicationError(_("This recruitment round is not taking applications."))
    missing = [notice.title for notice, given in consents.items() if notice.is_required and not given]
    if missing:
        raise ApplicationError(_("You can only apply after agreeing to this notice."))
    try:
        with transaction.atomic():
            applicant = Applicant.objects.create(
                round=round,
                name=name,
                mobile=mobile,
                email=email,
                birth_year=birth_year,
                district=district,
                preferred_branch=preferred_branch,
                source=source,
                motivation=motivation,
                preferred_times=preferred_times or [],
            )
            ApplicantConsent.objects.bulk_create(
                ApplicantConsent(applicant=applicant, notice_version=notice.current_version, given=given)
                for notice, given in consents.items()
            )
            ApplicantEvent.objects.create(applicant=applicant, to_status=ApplicantStatus.SUBMITTED)
            notification = Notification.objects.create(applicant=applicant, kind=NotificationKind.APPLICATION_RECEIVED)
            _queue_notification(notification)
    except IntegrityError:
        # Another request created the live application between our check and insert.
        existing = _live_application(round=round, mobile=mobile)
        if existing is None:
            raise
        return existing, False
    return applicant, True


def _live_application(*, round: RecruitmentRound, mobile: str) -> Applicant | None:
    return Applicant.objects.filter(round=round, mobile=mobile).exclude(status__in=ENDED_STATUSES).first()


def _transition(*, applicant: Applicant, to: str, actor=None, note: str = "") -> Applicant:
    """Move one applicant to `to` under a row lock, writing the event; refuse illegal moves."""
    with transaction.atomic():
        locked = Applicant.objects.select_for_update().get(pk=applicant.pk)
        if not locked.can_become(to):
            raise ApplicationError(
                _("An application that is %(status)s cannot become %(new)s.")
                % {"status": locked.get_status_display(), "new": ApplicantStatus(to).label}
            )
        ApplicantEvent.objects.create(applicant=locked, from_status=locked.status, to_status=to, actor=actor, note=note)
        locked.status = to
        locked.save(update_fields=["status", "updated_at"])
    return locked


def applicant_withdraw(*, applicant: Applicant, actor=None, note: str = "") -> Applicant:
    """Withdraw the application (철회) and confirm it to the applicant by email."""
    with transaction.atomic():
        withdrawn = _transition(applicant=applicant, to=ApplicantStatus.WITHDRAWN, actor=actor, note=note)
        notification, created = Notification.objects.get_or_create(applicant=withdrawn, kind=NotificationKind.WITHDRAWN)
        if created:
            _queue_notification(notification)
    return withdrawn


def applicant_request_deletion(*, applicant: Applicant) -> Applicant:
    """Record the applicant's request to delete their data, withdrawing a live application.

    The retention job anonymises the record; asking twice records one request.
    """
    with transaction.atomic():
        locked = Applicant.objects.select_for_update().get(pk=applicant.pk)
        if locked.deletion_requested_at is not None:
            return locked
        if locked.can_become(ApplicantStatus.WITHDRAWN):
            locked = applicant_withdraw(applicant=locked, note=_("Withdrawn with a request to delete the data."))
        locked.deletion_requested_at = timezone.now()
        locked.save(update_fields=["deletion_requested_at", "updated_at"])
        ApplicantEvent.objects.create(
            applicant=locked,
            from_status=locked.status,
            to_status=locked.status,
            note=_("The applicant asked for their data to be deleted."),
        )
    return locked


def applicant_resend_status_links(*, contact: str) -> int:
    """Email the status link of every application made with this email or mobile.

    Returns how many were queued; the caller must answer the same either way, so
    nobody learns from the page whether someone applied.
    """
    lookup = Q(email__iexact=contact) if "@" in contact else Q(mobile=contact)
    applicants = list(Applicant.objects.filter(lookup, deletion_requested_at=None).order_by("-created_at")[:5])
    with transaction.atomic():
        for applicant in applicants:
            _queue_notification(Notification.objects.create(applicant=applicant, kind=NotificationKind.STATUS_LINK))
    return len(applicants)


def notification_send(*, notification_id: int) -> bool:
    """Send the email of one notification unless it was sent; return whether it was sent now.

    The row is locked while sending, so a second run of the same task waits for the
    first and then finds it sent. If sending fails, nothing is marked and a retry sends.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("applicant__round")
            .get(pk=notification_id)
        )
        if notification.sent_at is not None:
            return False
        applicant = notification.applicant
        send_templated_email(
            notification.kind,
            to=applicant.email,
            context={
                "applicant": applicant,
                "status_url": reverse("recruiting:status", args=[applicant.status_token]),
            },
        )
        notification.sent_at = timezone.now()
        notification.save(update_fields=["sent_at"])
    logger.info("Sent notification %s (%s)", notification.pk, notification.kind)
    return True
