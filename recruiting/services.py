"""Every write of recruiting that changes a status, touches several rows or has a side effect (DESIGN §3).

Statuses change through `core.states` only: `state_change` for a move, `state_start` for a
new row, `state_record` for an event within a status. The pipeline's facts (the moves,
what each stage may book, the notice of each stage) are in pipeline.py.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from core.emails import send_templated_email
from core.outbox import RETRY_BATCH, outbox_due, outbox_requeue, outbox_send
from core.states import state_change, state_record, state_start
from core.validators import text_refusal
from recruiting.calendar import appointment_ics
from recruiting.errors import ApplicationError
from recruiting.models import (
    ANONYMISED_NAME,
    AccessRecord,
    Applicant,
    ApplicantConsent,
    ApplicantEvent,
    ApplicantNote,
    Appointment,
    AppointmentStatus,
    Branch,
    ConsentNotice,
    District,
    EmailChange,
    Notification,
    RecruitmentRound,
    RejectionReason,
    Slot,
    new_status_token,
)
from recruiting.pipeline import (
    BOOKABLE,
    ENDED_STATUSES,
    OPEN_STATUSES,
    STAGE_NOTICES,
    ApplicantStatus,
    NotificationKind,
    SlotKind,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

# The value of “Other” in every list of reasons (rejections, exports): it needs a note.
OTHER_REASON = "other"


def _queue_notification(notification: Notification) -> None:
    # After commit, so the worker finds the rows; the task takes the id and re-reads.
    transaction.on_commit(lambda: async_task(notification_send, notification_id=notification.pk))


def _require_note_for_other(*, reason: str, note: str) -> None:
    if reason == OTHER_REASON and not note.strip():
        raise ApplicationError(_("Explain the reason in the note when you choose “Other”."), field="note")


def _refuse_unsafe_text(**fields: str) -> None:
    """Refuse text that may not be saved, naming the field it was typed into."""
    for name, value in fields.items():
        if refusal := text_refusal(value):
            raise ApplicationError(refusal, field=name)


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
    _refuse_unsafe_text(name=name, mobile=mobile, email=email, motivation=motivation)
    existing = _live_application(round=round, mobile=mobile)
    if existing is not None:
        return existing, False
    if not round.is_open():
        raise ApplicationError(_("This recruitment round is not taking applications."))
    recruiting = list(round.branches.all())
    if recruiting and preferred_branch not in recruiting:
        raise ApplicationError(
            _("This round recruits for %(branches)s only; please choose one of them.")
            % {"branches": ", ".join(str(branch) for branch in recruiting)},
            field="preferred_branch",
        )
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
            state_start(applicant, actor=None)
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


def _transition(
    *,
    applicant: Applicant,
    to: str,
    actor: User | None,
    note: str = "",
    reason: str = "",
    expected_status: str | None = None,
    notify: bool = True,
) -> tuple[Applicant, ApplicantEvent]:
    """Move one applicant to `to` through the state helper, and queue the stage notice.

    `expected_status` is the status the person acting saw: when two staff act on the same
    applicant at once, the second is told instead of overriding the first decision. An
    ending move also cancels the bookings still to come.
    """
    _refuse_unsafe_text(note=note)
    with transaction.atomic():
        locked, event = state_change(
            applicant,
            to=to,
            actor=actor,
            expected=expected_status,
            reason=reason,
            note=note,
            changes={"closed_at": timezone.now()} if to in ENDED_STATUSES else None,
        )
        if to in ENDED_STATUSES:
            _appointments_cancel_future(applicant=locked, event=event, actor=actor)
        if notify and to in STAGE_NOTICES:
            # One notice per event, enforced by a constraint: the event is the change it reports.
            # A withdrawal or rejection notice also carries the cancellation of the seats it freed.
            _queue_notification(Notification.objects.create(applicant=locked, kind=STAGE_NOTICES[to], event=event))
    return locked, event


def _appointments_cancel_future(*, applicant: Applicant, event: ApplicantEvent, actor: User | None) -> None:
    """Cancel the applicant's bookings that are still to come, freeing their seats, as part of `event`.

    The caller holds the applicant's row lock, so no booking can be made or moved
    meanwhile. Past bookings stay as they were: they are history, not seats.
    """
    future = applicant.appointments.select_for_update(of=("self",)).upcoming()
    for appointment in future.select_related("slot__branch"):
        state_change(
            appointment,
            to=AppointmentStatus.CANCELLED,
            actor=actor,
            changes={"sequence": appointment.sequence + 1, "cancelled_with": event},
        )
        state_record(applicant, actor=actor, note=_("%(slot)s cancelled.") % {"slot": appointment.slot})


def applicant_mark_consulted(
    *, applicant: Applicant, actor: User, note: str = "", expected_status: str | None = None
) -> Applicant:
    """Record that the consultation took place (상담 완료)."""
    return _transition(
        applicant=applicant, to=ApplicantStatus.CONSULTED, actor=actor, note=note, expected_status=expected_status
    )[0]


def applicant_invite_to_interview(
    *, applicant: Applicant, actor: User, note: str = "", expected_status: str | None = None
) -> Applicant:
    """Move a consulted applicant on to the interview (면접)."""
    return _transition(
        applicant=applicant, to=ApplicantStatus.INTERVIEW, actor=actor, note=note, expected_status=expected_status
    )[0]


def applicant_accept(
    *, applicant: Applicant, actor: User, note: str = "", expected_status: str | None = None
) -> Applicant:
    """Accept the applicant after the interview (합격); enrollment comes with a cohort."""
    return _transition(
        applicant=applicant, to=ApplicantStatus.ACCEPTED, actor=actor, note=note, expected_status=expected_status
    )[0]


def applicant_reject_check(*, reason: str, note: str) -> None:
    """Refuse a rejection without a reason from the list, or with “Other” and no note explaining it.

    `applicant_reject` runs it; the back office runs it too before asking to confirm.
    """
    if reason not in RejectionReason.values:
        raise ApplicationError(_("Choose why the application is not taken further."), field="reason")
    _require_note_for_other(reason=reason, note=note)


def applicant_reject(
    *, applicant: Applicant, actor: User, reason: str, note: str = "", expected_status: str | None = None
) -> Applicant:
    """Close the application as not accepted (불합격), with a reason from the list."""
    applicant_reject_check(reason=reason, note=note)
    return _transition(
        applicant=applicant,
        to=ApplicantStatus.REJECTED,
        actor=actor,
        note=note,
        reason=reason,
        expected_status=expected_status,
    )[0]


def applicant_withdraw(
    *, applicant: Applicant, actor: User | None = None, note: str = "", expected_status: str | None = None
) -> Applicant:
    """Withdraw the application (철회), at the applicant's wish, and confirm it by email."""
    return _transition(
        applicant=applicant, to=ApplicantStatus.WITHDRAWN, actor=actor, note=note, expected_status=expected_status
    )[0]


def applicant_lapse(*, applicant: Applicant, expected_status: str | None = None) -> Applicant:
    """Close an application nobody decided on once its round is long over (기간 만료), and tell the applicant."""
    return _transition(
        applicant=applicant,
        to=ApplicantStatus.LAPSED,
        actor=None,
        note=_("Closed by the retention job: the round ended without a decision."),
        expected_status=expected_status,
    )[0]


def applications_lapse_due(*, today: date | None = None) -> int:
    """Lapse the open applications of rounds over for more than APPLICATION_LAPSE_DAYS; return how many.

    Before acceptance the round's closing date counts; an accepted applicant waits for
    her cohort, so the cohort's start counts. Without this, an application nobody
    decided on would never end, and its personal data would be kept for ever.
    """
    cutoff = (today or timezone.localdate()) - timedelta(days=settings.APPLICATION_LAPSE_DAYS)
    waiting = [status for status in OPEN_STATUSES if status != ApplicantStatus.ACCEPTED]
    due = Applicant.objects.filter(
        Q(status__in=waiting, round__closes_on__lt=cutoff)
        | Q(status=ApplicantStatus.ACCEPTED, round__cohort_starts_on__lt=cutoff)
    )
    lapsed = 0
    for applicant in due.iterator():
        try:
            applicant_lapse(applicant=applicant, expected_status=applicant.status)
        except ApplicationError:
            # Someone moved it meanwhile (staff decided, or she withdrew): their move stands.
            continue
        lapsed += 1
    return lapsed


def applicant_enroll(*, applicant: Applicant, actor: User, note: str = "") -> Applicant:
    """Record that an accepted applicant joined a cohort (입과); curriculum calls it when enrolling."""
    return _transition(applicant=applicant, to=ApplicantStatus.ENROLLED, actor=actor, note=note)[0]


def _appointment_notice(*, applicant: Applicant, event: ApplicantEvent, appointment: Appointment, kind: str) -> None:
    notification = Notification.objects.create(applicant=applicant, kind=kind, event=event, appointment=appointment)
    _queue_notification(notification)


def appointment_book(*, applicant: Applicant, slot: Slot, actor: User | None = None) -> Appointment:
    """Book the applicant into `slot`, or move their booking of that kind there.

    Booking a consultation moves a submitted application to 상담 예정, an interview a
    consulted one to 면접. The slot's row lock makes concurrent bookings of its last
    seat wait for each other, so the seats are never exceeded.
    """
    with transaction.atomic():
        locked = Applicant.objects.select_for_update(of=("self",)).get(pk=applicant.pk)
        slot = Slot.objects.select_for_update(of=("self",)).select_related("branch").get(pk=slot.pk)
        if locked.status not in BOOKABLE[slot.kind]:
            raise ApplicationError(
                _("An application that is %(status)s cannot book a %(kind)s.")
                % {"status": locked.get_status_display(), "kind": slot.get_kind_display()}
            )
        if slot.branch_id != locked.preferred_branch_id:
            raise ApplicationError(_("This time belongs to another branch."))
        if slot.starts_at <= timezone.now():
            raise ApplicationError(_("This time has already passed. Choose another."))
        current = locked.appointments.filter(kind=slot.kind, status=AppointmentStatus.BOOKED).first()
        if current is not None and current.slot_id == slot.pk:
            return current
        if slot.appointments.filter(status=AppointmentStatus.BOOKED).count() >= slot.capacity:
            raise ApplicationError(_("This time has just been fully booked. Choose another."))
        to = BOOKABLE[slot.kind][locked.status]
        if current is None:
            appointment = Appointment.objects.create(applicant=locked, slot=slot, kind=slot.kind, booked_by=actor)
            state_start(appointment, actor=actor)
            kind = NotificationKind.APPOINTMENT_BOOKED
        else:
            appointment = current
            moved_from = appointment.slot
            appointment.slot = slot
            appointment.sequence += 1
            appointment.booked_by = actor
            appointment.save(update_fields=["slot", "sequence", "booked_by", "updated_at"])
            state_record(
                appointment, actor=actor, note=_("Moved from %(old)s to %(new)s.") % {"old": moved_from, "new": slot}
            )
            kind = NotificationKind.APPOINTMENT_CHANGED
        note = _("%(slot)s booked.") % {"slot": slot}
        if to != locked.status:
            locked, event = _transition(applicant=locked, to=to, actor=actor, note=note, notify=False)
        else:
            event = state_record(locked, actor=actor, note=note)
        _appointment_notice(applicant=locked, event=event, appointment=appointment, kind=kind)
    return appointment


def appointment_cancel(*, appointment: Appointment, actor: User | None = None) -> Appointment:
    """Cancel a booking; a cancelled consultation puts the application back to 접수."""
    with transaction.atomic():
        # The applicant first, as every other writer locks them: the same order everywhere
        # means a cancellation and a withdrawal at the same moment wait instead of deadlocking.
        Applicant.objects.select_for_update(of=("self",)).get(pk=appointment.applicant_id)
        appointment = Appointment.objects.select_for_update(of=("self",)).select_related("slot").get(pk=appointment.pk)
        if appointment.status != AppointmentStatus.BOOKED:
            return appointment
        state_change(
            appointment,
            to=AppointmentStatus.CANCELLED,
            actor=actor,
            changes={"sequence": appointment.sequence + 1},
        )
        applicant = appointment.applicant
        note = _("%(slot)s cancelled.") % {"slot": appointment.slot}
        if appointment.kind == SlotKind.CONSULTATION and applicant.status == ApplicantStatus.CONSULTATION_BOOKED:
            applicant, event = _transition(
                applicant=applicant, to=ApplicantStatus.SUBMITTED, actor=actor, note=note, notify=False
            )
        else:
            event = state_record(applicant, actor=actor, note=note)
        _appointment_notice(
            applicant=applicant, event=event, appointment=appointment, kind=NotificationKind.APPOINTMENT_CANCELLED
        )
    return appointment


def appointment_reminders_send(*, today: date | None = None) -> int:
    """Queue a reminder for every booking of tomorrow (Seoul time) that has none yet; return how many.

    Run daily by a django-q2 schedule. A reminder is recorded once per appointment by a
    unique constraint, so a second run the same day, or a rerun after a crash, adds none.
    """
    tomorrow = (today or timezone.localdate()) + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(tomorrow, time.min))
    due = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED, slot__starts_at__gte=start, slot__starts_at__lt=start + timedelta(days=1)
    ).exclude(notifications__kind=NotificationKind.APPOINTMENT_REMINDER)
    queued = 0
    for appointment in due.select_related("applicant"):
        with transaction.atomic():
            notification, created = Notification.objects.get_or_create(
                appointment=appointment,
                kind=NotificationKind.APPOINTMENT_REMINDER,
                defaults={"applicant": appointment.applicant},
            )
            if created:
                _queue_notification(notification)
                queued += 1
    return queued


def applicant_add_note(*, applicant: Applicant, author: User, text: str) -> ApplicantNote:
    """Add a staff note to the applicant's record."""
    _refuse_unsafe_text(text=text)
    return ApplicantNote.objects.create(applicant=applicant, author=author, text=text)


def access_record_write(
    *,
    user: User,
    action: str,
    applicant: Applicant | None = None,
    reason: str = "",
    note: str = "",
    filters: dict | None = None,
    row_count: int | None = None,
) -> AccessRecord:
    """Record that `user` viewed an applicant or exported a list (DESIGN §2: access is logged).

    An export gives a reason from the list; “Other” needs a note explaining it.
    """
    _require_note_for_other(reason=reason, note=note)
    _refuse_unsafe_text(note=note)
    return AccessRecord.objects.create(
        user=user,
        username=user.get_username(),
        action=action,
        applicant=applicant,
        reason=reason,
        note=note,
        filters=filters or {},
        row_count=row_count,
    )


def applicant_request_deletion(*, applicant: Applicant) -> Applicant:
    """Record the applicant's request to delete their data, withdrawing a live application.

    An application that ends here is destroyed by the next run of the retention job. A
    person already in training keeps her training record for its retention period
    (assignments.retention), but what only the application needed (her motivation, the
    times she preferred, an email change waiting for confirmation) is destroyed at once.
    Asking twice records one request.
    """
    with transaction.atomic():
        locked = Applicant.objects.select_for_update().get(pk=applicant.pk)
        if locked.deletion_requested_at is not None:
            return locked
        if locked.can_become(ApplicantStatus.WITHDRAWN):
            locked = applicant_withdraw(applicant=locked, note=_("Withdrawn with a request to delete the data."))
        locked.deletion_requested_at = timezone.now()
        fields = ["deletion_requested_at", "updated_at"]
        if locked.status == ApplicantStatus.ENROLLED:
            locked.motivation = ""
            locked.preferred_times = []
            fields += ["motivation", "preferred_times"]
            locked.email_changes.all().delete()
        locked.save(update_fields=fields)
        state_record(locked, actor=None, note=_("The applicant asked for their data to be deleted."))
    return locked


def applicant_request_status_links(*, contact: str) -> None:
    """Queue the look-up and emailing of the status links made with this email or mobile.

    The request does the same work whether or not anyone applied with it: one task,
    queued after commit, and no query about applicants. Looking them up here would make
    the answer slower when an application exists, and the delay would tell.
    """
    # The contact is personal data: a successful task keeps no copy of it in the results table.
    transaction.on_commit(lambda: async_task(applicant_resend_status_links, contact=contact, save=False))


def applicant_resend_status_links(*, contact: str) -> int:
    """Email the status link of every application made with this email or mobile; run by the worker.

    Returns how many were queued. Only the worker looks the contact up
    (`applicant_request_status_links`), so the page cannot tell whether someone applied.
    """
    lookup = Q(email__iexact=contact) if "@" in contact else Q(mobile=contact)
    applicants = list(Applicant.objects.filter(lookup, deletion_requested_at=None).order_by("-created_at")[:5])
    with transaction.atomic():
        for applicant in applicants:
            _queue_notification(Notification.objects.create(applicant=applicant, kind=NotificationKind.STATUS_LINK))
    return len(applicants)


# A second submit this soon is a double click or a retry: the first one's confirmation,
# with the same link, is still on its way.
DUPLICATE_GRACE = timedelta(minutes=2)


def applicant_remind_of_application(*, applicant: Applicant) -> Notification | None:
    """Email the status link of the live application that someone tried to make again.

    It goes to the address on file, never to the one typed in the second form, so a
    stranger who types someone's number learns nothing. The caller keeps to the
    lost-link limits and shows the same page whether or not this was a duplicate.
    """
    if applicant.created_at > timezone.now() - DUPLICATE_GRACE:
        return None
    with transaction.atomic():
        notification = Notification.objects.create(applicant=applicant, kind=NotificationKind.DUPLICATE_APPLICATION)
        _queue_notification(notification)
    return notification


def applicant_change_mobile(*, applicant: Applicant, mobile: str) -> Applicant:
    """Correct the applicant's mobile number and tell her by email.

    A live application keeps to one per mobile per round: a number another live
    application of the round uses is refused, and the database constraint settles a race.
    """
    taken = ApplicationError(
        _(
            "Another application of this round is in progress with this number, so it cannot be used here. "
            "Check the number, or call your branch."
        )
    )
    with transaction.atomic():
        locked = Applicant.objects.select_for_update(of=("self",)).get(pk=applicant.pk)
        if locked.mobile == mobile:
            return locked
        live = locked.status not in ENDED_STATUSES
        if live and _live_application(round=locked.round, mobile=mobile) is not None:
            raise taken
        locked.mobile = mobile
        try:
            with transaction.atomic():
                locked.save(update_fields=["mobile", "updated_at"])
        except IntegrityError:
            raise taken from None
        event = state_record(locked, actor=None, note=_("The applicant corrected their mobile number."))
        _queue_notification(
            Notification.objects.create(applicant=locked, kind=NotificationKind.MOBILE_CHANGED, event=event)
        )
    return locked


# How long the link that confirms a new email address works.
EMAIL_CHANGE_VALID_FOR = timedelta(days=1)


def applicant_request_email_change(*, applicant: Applicant, email: str) -> EmailChange:
    """Send a confirmation link to the new address; the email changes only when it is opened there."""
    _refuse_unsafe_text(email=email)
    with transaction.atomic():
        change = EmailChange.objects.create(applicant=applicant, email=email)
        _queue_notification(
            Notification.objects.create(applicant=applicant, kind=NotificationKind.EMAIL_CHANGE, email_change=change)
        )
    return change


def applicant_confirm_email_change(*, applicant: Applicant, token: str) -> Applicant:
    """Make the confirmed new address the applicant's email; a link is good once, for a day, if it is the latest."""
    with transaction.atomic():
        locked = Applicant.objects.select_for_update(of=("self",)).get(pk=applicant.pk)
        latest = locked.email_changes.first()
        if (
            latest is None
            or latest.token != token
            or latest.confirmed_at is not None
            or latest.created_at < timezone.now() - EMAIL_CHANGE_VALID_FOR
        ):
            raise ApplicationError(
                _(
                    "This confirmation link has already been used or is no longer valid. "
                    "Ask for a new one on your status page."
                )
            )
        latest.confirmed_at = timezone.now()
        latest.save(update_fields=["confirmed_at"])
        locked.email = latest.email
        locked.save(update_fields=["email", "updated_at"])
        state_record(
            locked, actor=None, note=_("The applicant changed their email address, confirmed from the new address.")
        )
    return locked


def notification_send(*, notification_id: int) -> bool:
    """Send the email of one notification unless it was sent or is being sent; return whether it went now.

    The row is claimed, the email sent outside any transaction, and the result recorded
    (`core.outbox`): a failed send is tried again by `notifications_retry_due`.
    """
    return outbox_send(Notification, notification_id, sent_field="sent_at", send=_notification_email)


def _notification_email(notification_id: int) -> bool:
    """Send the email of the notification; return False when there is nothing to send any more."""
    notification = Notification.objects.select_related(
        "applicant__round",
        "applicant__preferred_branch",
        "event",
        "appointment__slot__branch",
        "email_change",
    ).get(pk=notification_id)
    applicant = notification.applicant
    appointment = notification.appointment
    email_change = notification.email_change
    # A new address is confirmed at that address; everything else goes to the one on file.
    address = email_change.email if email_change else applicant.email
    if not address:
        logger.info("Skipped the notification %s of an application without an address", notification.pk)
        return False
    if notification.kind == NotificationKind.APPOINTMENT_REMINDER and (
        appointment.status != AppointmentStatus.BOOKED or appointment.slot.starts_at <= timezone.now()
    ):
        logger.info("Skipped the reminder %s of a cancelled or past appointment", notification.pk)
        return False
    # Seats freed by the withdrawal or rejection this notice reports; one whose time has
    # passed while the email waited needs no cancelling any more.
    cancelled = (
        list(
            notification.event.cancelled_appointments.filter(slot__starts_at__gt=timezone.now()).select_related(
                "slot__branch"
            )
        )
        if notification.event is not None and appointment is None
        else []
    )
    attachments = [("invite.ics", appointment_ics(appointment), "text/calendar")] if appointment else []
    attachments += [(f"cancel-{c.pk}.ics", appointment_ics(c), "text/calendar") for c in cancelled]
    send_templated_email(
        notification.kind,
        to=address,
        context={
            "applicant": applicant,
            "status_url": reverse("recruiting:status", args=[applicant.status_token]),
            "event": notification.event,
            "appointment": appointment,
            "cancelled_appointments": cancelled,
            "confirm_url": (
                reverse("recruiting:status_contact_confirm", args=[applicant.status_token, email_change.token])
                if email_change
                else ""
            ),
        },
        attachments=attachments,
    )
    logger.info("Sent notification %s (%s)", notification.pk, notification.kind)
    return True


def notifications_retry_due(*, now: datetime | None = None) -> int:
    """Send again the notifications whose last attempt failed or whose worker died; return how many went.

    Run every few minutes by a django-q2 schedule.
    """
    due = outbox_due(Notification.objects.all(), sent_field="sent_at", now=now or timezone.now())
    ids = list(due.values_list("pk", flat=True)[:RETRY_BATCH])
    return sum(notification_send(notification_id=pk) for pk in ids)


def notification_resend(*, notification: Notification, actor: User) -> bool:
    """Queue an unsent notification for sending with its attempts given back; return False if it went meanwhile.

    The applicant's history records who sent it again.
    """
    with transaction.atomic():
        if not outbox_requeue(Notification, notification.pk, sent_field="sent_at"):
            return False
        state_record(
            notification.applicant,
            actor=actor,
            note=_("Email sent again by staff: %(kind)s") % {"kind": notification.get_kind_display()},
        )
        _queue_notification(notification)
    return True


def applicant_anonymise(*, applicant: Applicant, now: datetime) -> None:
    """Empty the application of its personal data in place; the caller holds the row's lock.

    The row stays, so that counts and funnels stay true; consents, events (without their
    notes) and notifications hold no personal data and stay too. The people retention job
    (assignments.retention) decides when a person is due and calls this.
    """
    applicant.name = ANONYMISED_NAME
    applicant.mobile = ""
    applicant.email = ""
    applicant.birth_year = 0
    applicant.motivation = ""
    applicant.preferred_times = []
    # The old status link stops working.
    applicant.status_token = new_status_token()
    applicant.anonymised_at = now
    applicant.save()
    applicant.staff_notes.all().delete()
    applicant.email_changes.all().delete()
    applicant.events.exclude(note="").update(note="")
    state_record(applicant, actor=None, note=_("Personal data destroyed by the retention job."))


def access_records_prune(*, now: datetime | None = None) -> int:
    """Delete the access records older than ACCESS_RECORD_RETENTION_DAYS; return how many.

    They are kept that long to answer who looked at whose data (the access-log duty of
    the personal-data safety rules), and no longer: their filters may hold a name typed
    into a search.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.ACCESS_RECORD_RETENTION_DAYS)
    deleted, _per_model = AccessRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# What the people booked were sent in their invitation: fixed once a seat is booked.
FIXED_WHEN_BOOKED = ("branch", "kind", "starts_at", "duration_minutes", "place")


def slot_update(*, slot: Slot, changed: Collection[str]) -> Slot:
    """Save the edited `slot`, whose fields `changed`, keeping its seats at or above its bookings.

    Once someone has booked it only its seats change: the booked were sent its time and
    place. Booking takes the slot's row lock too, so the seats are compared with the
    bookings as they are now, not as they were when the form was opened.
    """
    _refuse_unsafe_text(place=slot.place)
    with transaction.atomic():
        locked = Slot.objects.select_for_update(of=("self",)).get(pk=slot.pk)
        booked = locked.appointments.filter(status=AppointmentStatus.BOOKED).count()
        if slot.capacity < booked:
            raise ApplicationError(
                _("%(booked)s people have booked this time; the seats cannot be fewer.") % {"booked": booked},
                field="capacity",
            )
        if booked and set(changed) & set(FIXED_WHEN_BOOKED):
            raise ApplicationError(_("Someone booked this time a moment ago; only its seats can change now."))
        slot.save()
    return slot
