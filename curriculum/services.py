"""The training's writes: curricula, cohorts and their dates, enrollment, marks, attendance,
milestones, graduation and attendance warnings (DESIGN §3). Certificates have their own
services in `curriculum.certificates.services`.

Every status change goes through `core.states`, which writes the object's history row.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import holidays
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from core.emails import send_templated_email
from core.outbox import RETRY_BATCH, outbox_due, outbox_requeue, outbox_send
from core.roles import Role
from core.states import state_change, state_record, state_start
from core.validators import text_refusal
from curriculum.defaults import DEFAULT_CURRICULUM_DESCRIPTION, DEFAULT_CURRICULUM_NAME, DEFAULT_MODULES
from curriculum.errors import MarkError, MilestoneError, TrainingError
from curriculum.models import (
    Assessment,
    Attendance,
    AttendanceChange,
    AttendanceStatus,
    AttendanceWarning,
    Cohort,
    CohortStatus,
    Curriculum,
    Enrollment,
    EnrollmentStatus,
    Module,
    ModuleResult,
    ModuleResultChange,
    ResultStatus,
)
from curriculum.progress import TraineeProgress, cohort_progress
from recruiting.errors import ApplicationError
from recruiting.models import ANONYMISED_NAME, Applicant, ApplicantStatus
from recruiting.services import applicant_enroll

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)


def curriculum_install_default() -> bool:
    """Install the default CS RC curriculum unless one of that name exists; return whether it was created.

    Once installed it is data: editors may rename, reorder or change modules, and a
    second run leaves their work alone.
    """
    with transaction.atomic():
        curriculum, created = Curriculum.objects.get_or_create(
            name=DEFAULT_CURRICULUM_NAME, defaults={"weeks": 13, "description": DEFAULT_CURRICULUM_DESCRIPTION}
        )
        if created:
            Module.objects.bulk_create(
                Module(
                    curriculum=curriculum,
                    sort_order=order,
                    title=title,
                    area=area,
                    week_start=week_start,
                    week_end=week_end,
                    assessment=Assessment.COMPLETION if pass_mark is None else Assessment.SCORE,
                    pass_mark=pass_mark,
                    is_required=required,
                )
                for order, (title, area, week_start, week_end, pass_mark, required) in enumerate(DEFAULT_MODULES)
            )
    return created


def cohorts_advance(*, today: date | None = None, cohort: Cohort | None = None) -> int:
    """Move cohorts along their dates: in training from the first day, completed after the last; return the moves.

    Run daily by a django-q2 schedule (no one acts: the history shows no actor), and for
    one `cohort` when it is created or its dates are edited. A cohort already where its
    dates put it is left alone, so a second run on the same day moves nothing; a cohort
    whose last day has passed makes both moves, each in its history.
    """
    today = today or timezone.localdate()
    due = Cohort.objects.exclude(status=CohortStatus.COMPLETED).filter(starts_on__lte=today).order_by("pk")
    if cohort is not None:
        due = due.filter(pk=cohort.pk)
    moves = 0
    for candidate in due:
        try:
            with transaction.atomic():
                if candidate.status == CohortStatus.PLANNED:
                    state_change(candidate, to=CohortStatus.TRAINING, actor=None, expected=CohortStatus.PLANNED)
                    moves += 1
                if candidate.ends_on < today:
                    state_change(candidate, to=CohortStatus.COMPLETED, actor=None, expected=CohortStatus.TRAINING)
                    moves += 1
        except TrainingError:
            # Another run moved it between our read and our lock: it is where it should be.
            logger.info("Cohort %s was moved by another run", candidate.pk)
    return moves


def cohort_record_new(*, cohort: Cohort, actor: User) -> Cohort:
    """Record a cohort the admin form has just created, then give it the status its dates call for."""
    with transaction.atomic():
        state_start(cohort, actor=actor)
        cohorts_advance(cohort=cohort)
    cohort.refresh_from_db(fields=["status"])
    return cohort


def enrollment_enroll(*, cohort: Cohort, applicant: Applicant, actor: User) -> Enrollment:
    """Enroll an accepted applicant of the cohort's round and branch into the cohort (입과).

    The cohort's row lock makes concurrent enrollments wait for each other, so its seats
    are never exceeded; the applicant's own transition refuses anyone not accepted, and
    a constraint keeps a person in one active cohort.
    """
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
        if cohort.status == CohortStatus.COMPLETED:
            raise TrainingError(_("This cohort has finished its training."))
        if applicant.round_id != cohort.round_id or applicant.preferred_branch_id != cohort.branch_id:
            raise TrainingError(_("Only accepted applicants of this cohort's round and branch can join it."))
        if Enrollment.objects.filter(applicant=applicant, status=EnrollmentStatus.ACTIVE).exists():
            raise TrainingError(_("%(name)s is already in training in another cohort.") % {"name": applicant.name})
        if cohort.enrollments.exclude(status=EnrollmentStatus.LEFT).count() >= cohort.capacity:
            raise TrainingError(_("The cohort is full."))
        try:
            applicant_enroll(applicant=applicant, actor=actor, note=str(cohort))
        except ApplicationError as error:
            raise TrainingError(str(error)) from error
        enrollment = Enrollment.objects.create(cohort=cohort, applicant=applicant)
        state_start(enrollment, actor=actor)
    return enrollment


def cohort_enroll_accepted(*, cohort: Cohort, actor: User) -> tuple[int, list[str]]:
    """Enroll every accepted applicant of the cohort's round and branch.

    Returns how many joined, and for each who could not, why.
    """
    waiting = Applicant.objects.filter(
        round_id=cohort.round_id, preferred_branch_id=cohort.branch_id, status=ApplicantStatus.ACCEPTED
    ).order_by("created_at")
    joined, problems = 0, []
    for applicant in waiting:
        try:
            enrollment_enroll(cohort=cohort, applicant=applicant, actor=actor)
        except TrainingError as error:
            problems.append(f"{applicant.name}: {error}")
        else:
            joined += 1
    return joined, problems


def meeting_days(cohort: Cohort) -> list[date]:
    """Return the morning-meeting days of the cohort: its business days, Korean public holidays skipped."""
    korean_holidays = holidays.country_holidays("KR", years=range(cohort.starts_on.year, cohort.ends_on.year + 1))
    days, day = [], cohort.starts_on
    while day <= cohort.ends_on:
        if day.weekday() < 5 and day not in korean_holidays:
            days.append(day)
        day += timedelta(days=1)
    return days


def _mark_status(module: Module, value: str) -> tuple[str, int | None]:
    """Read one cell as typed into the grid; raise ValueError with a message for the trainer."""
    if module.assessment == Assessment.COMPLETION:
        if value not in ResultStatus.values:
            raise ValueError(_("Choose passed or failed."))
        return value, None
    if not value.isdigit() or int(value) > 100:
        raise ValueError(_("Enter a score from 0 to 100."))
    score = int(value)
    return (ResultStatus.PASSED if score >= module.pass_mark else ResultStatus.FAILED), score


def mark_as_typed(result: ModuleResult | None) -> str:
    """Return a saved mark as the grid shows it in its cell: the score, the status, or "" when unmarked."""
    if result is None:
        return ""
    return str(result.score) if result.score is not None else result.status


def _mark_changes(
    cells: dict[tuple[int, int], str], *, enrollments: dict[int, str], modules: dict[int, Module], current: dict
) -> dict[tuple[int, int], tuple[str, int | None]]:
    """Check every typed cell and return the marks that change; raise MarkError naming each bad cell."""
    errors, changes = {}, {}
    for (enrollment_id, module_id), typed in cells.items():
        typed = typed.strip()
        if enrollment_id not in enrollments or module_id not in modules:
            errors[(enrollment_id, module_id)] = _("This cell is not part of the cohort.")
            continue
        existing = current.get((enrollment_id, module_id))
        if enrollments[enrollment_id] != EnrollmentStatus.ACTIVE:
            if typed != mark_as_typed(existing):
                errors[(enrollment_id, module_id)] = (
                    _("Graduated: this mark can no longer be changed.")
                    if enrollments[enrollment_id] == EnrollmentStatus.GRADUATED
                    else _("Left the training: this mark can no longer be changed.")
                )
            continue
        if not typed:
            if existing is not None:
                errors[(enrollment_id, module_id)] = _("A mark cannot be removed; correct it instead.")
            continue
        try:
            status, score = _mark_status(modules[module_id], typed)
        except ValueError as error:
            errors[(enrollment_id, module_id)] = str(error)
            continue
        if existing is None or (existing.status, existing.score) != (status, score):
            changes[(enrollment_id, module_id)] = (status, score)
    if errors:
        raise MarkError(errors)
    return changes


def marks_save(*, cohort: Cohort, actor: User, cells: dict[tuple[int, int], str]) -> int:
    """Save the changed cells of the marking grid in one transaction; return how many changed.

    `cells` maps (enrollment id, module id) to what the trainer typed: a score for a
    scored module, "passed" or "failed" for a completion module, "" to leave it unmarked.
    Every cell is checked before anything is written, so a single bad cell saves nothing.
    Each change also writes a history row (who, when, what it became).

    The marks of a trainee who graduated or left are final. Their cells may still come
    back unchanged (a grid opened before HR graduated someone), which is no change at
    all; a cell that would change is refused.
    """
    with transaction.atomic():
        # Lock the cohort's trainees: a graduation decided while the grid is saved waits
        # for the save, or the save sees the trainee graduated, never a mark after it.
        enrollments = dict(cohort.enrollments.select_for_update().order_by("pk").values_list("pk", "status"))
        modules = {module.pk: module for module in cohort.curriculum.modules.all()}
        current = {
            (result.enrollment_id, result.module_id): result
            for result in ModuleResult.objects.filter(enrollment__cohort=cohort)
        }
        changes = _mark_changes(cells, enrollments=enrollments, modules=modules, current=current)
        now = timezone.now()
        ModuleResult.objects.bulk_create(
            [
                ModuleResult(
                    enrollment_id=enrollment_id,
                    module_id=module_id,
                    status=status,
                    score=score,
                    marked_by=actor,
                    marked_at=now,
                )
                for (enrollment_id, module_id), (status, score) in changes.items()
            ],
            update_conflicts=True,
            unique_fields=["enrollment", "module"],
            update_fields=["status", "score", "marked_by", "marked_at"],
        )
        ModuleResultChange.objects.bulk_create(
            ModuleResultChange(
                enrollment_id=enrollment_id,
                module_id=module_id,
                status=status,
                score=score,
                changed_by=actor,
                changed_at=now,
            )
            for (enrollment_id, module_id), (status, score) in changes.items()
        )
    return len(changes)


def _refuse_unsafe_text(text: str) -> None:
    if refusal := text_refusal(text):
        raise TrainingError(refusal)


def attendance_save(*, cohort: Cohort, day: date, actor: User, exceptions: dict[int, str], reason: str = "") -> int:
    """Record the morning meeting of `day`: everyone present except the exceptions given.

    `exceptions` maps enrollment ids to late, excused or absent. Editing a day that has
    passed needs a reason, and every status it changes is logged with that reason.
    Returns how many rows changed.
    """
    _refuse_unsafe_text(reason)
    today = timezone.localdate()
    if day not in meeting_days(cohort):
        raise TrainingError(_("There is no morning meeting on that day."))
    if day > today:
        raise TrainingError(_("Attendance can only be taken on the day or after it."))
    statuses = dict(cohort.enrollments.order_by("pk").values_list("pk", "status"))
    active = [pk for pk, status in statuses.items() if status == EnrollmentStatus.ACTIVE]
    # Only trainees in training are on the sheet; the days of those who graduated or left stay as recorded.
    if set(exceptions) & (set(statuses) - set(active)):
        raise TrainingError(_("The attendance of a trainee who graduated or left cannot be changed."))
    unknown = set(exceptions) - set(active)
    if unknown or not set(exceptions.values()) <= set(AttendanceStatus.values):
        raise TrainingError(_("The sheet holds a trainee or a status that does not exist."))
    existing = {row.enrollment_id: row for row in Attendance.objects.filter(enrollment_id__in=active, day=day)}
    wanted = {pk: exceptions.get(pk, AttendanceStatus.PRESENT) for pk in active}
    changed = {pk: status for pk, status in wanted.items() if pk not in existing or existing[pk].status != status}
    if day < today and changed and not reason.strip():
        raise TrainingError(_("Changing a past day's attendance needs a reason."))
    now = timezone.now()
    with transaction.atomic():
        Attendance.objects.bulk_create(
            [
                Attendance(enrollment_id=pk, day=day, status=status, recorded_by=actor, recorded_at=now)
                for pk, status in changed.items()
            ],
            update_conflicts=True,
            unique_fields=["enrollment", "day"],
            update_fields=["status", "recorded_by", "recorded_at"],
        )
        if day < today:
            rows = {row.enrollment_id: row for row in Attendance.objects.filter(enrollment_id__in=changed, day=day)}
            AttendanceChange.objects.bulk_create(
                AttendanceChange(
                    attendance=rows[pk],
                    from_status=existing[pk].status if pk in existing else "",
                    to_status=status,
                    reason=reason.strip(),
                    changed_by=actor,
                )
                for pk, status in changed.items()
            )
    return len(changed)


def _gate_verdict(enrollment: Enrollment, *, today: date) -> TraineeProgress:
    _modules, report = cohort_progress(enrollment.cohort, today=today)
    return next(t for t in report if t.enrollment.pk == enrollment.pk)


def _graduate(enrollment: Enrollment, *, actor: User, early_reason: str = "") -> None:
    note = _("Graduated early: %(reason)s") % {"reason": early_reason} if early_reason else ""
    state_change(
        enrollment,
        to=EnrollmentStatus.GRADUATED,
        actor=actor,
        note=note,
        changes={"graduated_at": timezone.now(), "graduated_by": actor, "early_graduation_reason": early_reason},
    )


def enrollment_graduate(*, enrollment: Enrollment, actor: User) -> Enrollment:
    """Mark a trainee as graduated (수료) once the gate has nothing left to ask, the cohort's last day included."""
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.status != EnrollmentStatus.ACTIVE:
            raise TrainingError(_("Only a trainee in training can graduate."))
        trainee = _gate_verdict(enrollment, today=timezone.localdate())
        if trainee.missing:
            raise TrainingError(
                _("%(name)s cannot graduate yet: %(missing)s")
                % {"name": trainee.enrollment.applicant.name, "missing": "; ".join(trainee.missing)}
            )
        _graduate(enrollment, actor=actor)
    return enrollment


def may_graduate_early(user: User) -> bool:
    """Return whether `user` may decide an early graduation: HR, who manage cohorts across every branch."""
    return user.has_perm("curriculum.change_cohort") and user.has_perm("recruiting.view_all_branches")


def enrollment_graduate_early(*, enrollment: Enrollment, actor: User, reason: str) -> Enrollment:
    """Graduate a trainee before the cohort's last day, as HR's recorded decision with its reason.

    It waives the date alone: every other requirement of the gate still holds. The
    certificate then states the day they really finished, not the cohort's planned end.
    """
    if not may_graduate_early(actor):
        raise TrainingError(_("Only HR can graduate a trainee early."))
    reason = reason.strip()
    if not reason:
        raise TrainingError(_("Give the reason for graduating early."))
    _refuse_unsafe_text(reason)
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.status != EnrollmentStatus.ACTIVE:
            raise TrainingError(_("Only a trainee in training can graduate."))
        today = timezone.localdate()
        if today >= enrollment.cohort.ends_on:
            raise TrainingError(_("The cohort has ended: graduate the trainee the ordinary way."))
        trainee = _gate_verdict(enrollment, today=today)
        if trainee.missing_besides_the_date:
            raise TrainingError(
                _("%(name)s cannot graduate yet: %(missing)s")
                % {"name": enrollment.applicant.name, "missing": "; ".join(trainee.missing_besides_the_date)}
            )
        _graduate(enrollment, actor=actor, early_reason=reason[:200])
    return enrollment


def cohort_graduate_eligible(*, cohort: Cohort, actor: User) -> int:
    """Graduate every trainee of the cohort the gate lets through; return how many."""
    with transaction.atomic():
        # Lock the cohort's trainees before reading the gate, so the verdict holds when it is applied.
        list(cohort.enrollments.select_for_update().filter(status=EnrollmentStatus.ACTIVE))
        _modules, report = cohort_progress(cohort, today=timezone.localdate())
        eligible = [trainee.enrollment for trainee in report if trainee.may_graduate]
        for enrollment in eligible:
            _graduate(enrollment, actor=actor)
    return len(eligible)


def enrollment_leave(*, enrollment: Enrollment, actor: User, reason: str) -> Enrollment:
    """Record that a trainee left the training (중도 퇴소), with the reason; their marks and days stay as recorded."""
    reason = reason.strip()
    if not reason:
        raise TrainingError(_("Give the reason the trainee left."))
    _refuse_unsafe_text(reason)
    enrollment, _event = state_change(
        enrollment, to=EnrollmentStatus.LEFT, actor=actor, expected=EnrollmentStatus.ACTIVE, note=reason
    )
    return enrollment


def enrollment_anonymise(*, enrollment: Enrollment) -> None:
    """Destroy the personal data of a training record in place; the caller holds the person's lock.

    Marks, attendance and dates stay, emptied of what names the person: the registration
    with the association, free-text reasons and notes, the name on her certificates and their PDF files
    (removed once the transaction commits, so a rollback keeps a file its row still names).
    assignments.retention decides when a record is due.
    """
    # The association's number names her; its date goes with it (a database check holds them together).
    enrollment.registration_number = ""
    enrollment.registered_on = None
    enrollment.early_graduation_reason = ""
    enrollment.save(update_fields=["registration_number", "registered_on", "early_graduation_reason"])
    enrollment.events.exclude(note="").update(note="")
    AttendanceChange.objects.filter(attendance__enrollment=enrollment).exclude(reason="").update(reason="")
    for certificate in enrollment.certificates.select_for_update():
        pdf_name, storage = certificate.pdf.name, certificate.pdf.storage
        certificate.holder_name = ANONYMISED_NAME
        certificate.revoked_reason = ""
        certificate.pdf = ""
        certificate.save(update_fields=["holder_name", "revoked_reason", "pdf"])
        certificate.events.exclude(note="").update(note="")
        if pdf_name:
            transaction.on_commit(lambda name=pdf_name, storage=storage: storage.delete(name))


# The milestones a trainee needs before selling, in the order the form and the history show them.
MILESTONE_FIELDS = (
    "exam_date",
    "exam_score",
    "exam_passed",
    "registration_hours",
    "registered_on",
    "registration_number",
)


def _check_milestones(milestones: dict[str, Any], *, today: date) -> None:
    """Raise MilestoneError on the first milestone the rules refuse (the constraints hold the same rules)."""
    for name in ("exam_date", "registered_on"):
        if milestones[name] is not None and milestones[name] > today:
            raise MilestoneError(_("This date has not come yet."), field=name)
    if milestones["exam_passed"] and milestones["exam_date"] is None:
        raise MilestoneError(_("Give the date of the exam that was passed."), field="exam_date")
    if (milestones["registered_on"] is None) != (milestones["registration_number"] == ""):
        raise MilestoneError(
            _("Give both the registration date and its number, or neither."), field="registration_number"
        )
    if milestones["registered_on"] is not None and not milestones["exam_passed"]:
        raise MilestoneError(_("Registration comes after passing the licensing exam."), field="registered_on")
    if refusal := text_refusal(milestones["registration_number"]):
        raise MilestoneError(refusal, field="registration_number")


def _milestone_value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def enrollment_milestones_update(
    *,
    enrollment: Enrollment,
    actor: User,
    exam_date: date | None,
    exam_score: int | None,
    exam_passed: bool,
    registration_hours: Decimal,
    registered_on: date | None,
    registration_number: str,
) -> Enrollment:
    """Save a trainee's milestones under the row lock and write one history row saying what changed.

    A refused combination raises MilestoneError naming the field, and nothing is saved;
    saving the same values again changes nothing and writes no row.
    """
    milestones = {
        "exam_date": exam_date,
        "exam_score": exam_score,
        "exam_passed": exam_passed,
        "registration_hours": registration_hours,
        "registered_on": registered_on,
        "registration_number": registration_number.strip(),
    }
    _check_milestones(milestones, today=timezone.localdate())
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        changed = {name: (getattr(locked, name), milestones[name]) for name in MILESTONE_FIELDS}
        changed = {name: (old, new) for name, (old, new) in changed.items() if old != new}
        if not changed:
            return locked
        for name, (_old, new) in changed.items():
            setattr(locked, name, new)
        locked.save(update_fields=list(changed))
        note = "\n".join(
            _("%(milestone)s: %(old)s → %(new)s")
            % {
                "milestone": Enrollment._meta.get_field(name).verbose_name,
                "old": _milestone_value(old),
                "new": _milestone_value(new),
            }
            for name, (old, new) in changed.items()
        )
        state_record(locked, actor=actor, note=note)
    return locked


def attendance_warnings_send(*, today: date | None = None) -> int:
    """Warn trainers and the branch manager of each trainee under the attendance threshold.

    Run weekly by a django-q2 schedule. One warning per trainee per week is recorded by
    a unique constraint before its email is queued, so a rerun in the same week sends
    nothing more. Returns how many warnings were queued.
    """
    today = today or timezone.localdate()
    week_of = today - timedelta(days=today.weekday())
    queued = 0
    for cohort in Cohort.objects.filter(status=CohortStatus.TRAINING).select_related("curriculum"):
        _modules, report = cohort_progress(cohort, today=today)
        threshold = settings.GRADUATION_ATTENDANCE_PERCENT
        for trainee in report:
            rate = trainee.attendance_rate
            if trainee.enrollment.status != EnrollmentStatus.ACTIVE or rate is None or rate >= threshold:
                continue
            with transaction.atomic():
                warning, created = AttendanceWarning.objects.get_or_create(
                    enrollment=trainee.enrollment, week_of=week_of, defaults={"attendance_rate": rate}
                )
                if created:
                    transaction.on_commit(lambda pk=warning.pk: async_task(attendance_warning_send, warning_id=pk))
                    queued += 1
    return queued


def attendance_warning_send(*, warning_id: int) -> bool:
    """Email one attendance warning to the cohort's trainers and branch managers, unless it was sent.

    The warning is claimed, the emails sent outside any transaction, and the result
    recorded (`core.outbox`): a failed send is tried again by `attendance_warnings_retry_due`.
    """
    return outbox_send(AttendanceWarning, warning_id, sent_field="sent_at", send=_attendance_warning_emails)


def _attendance_warning_emails(warning_id: int) -> bool:
    """Send the warning to each of its recipients; return False when it has none."""
    warning = AttendanceWarning.objects.select_related("enrollment__applicant", "enrollment__cohort__branch").get(
        pk=warning_id
    )
    cohort = warning.enrollment.cohort
    recipients = sorted(
        {user.email for user in cohort.trainers.all() if user.email}
        | set(
            get_user_model()
            .objects.filter(staff_profile__branch=cohort.branch, groups__name=Role.BRANCH_MANAGER, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    # A failure half-way is retried for every recipient: those reached before it get the
    # warning twice, which is better than the rest never getting it.
    for address in recipients:
        send_templated_email(
            "attendance_warning",
            to=address,
            context={
                "warning": warning,
                "cohort": cohort,
                "trainee": warning.enrollment.applicant.name,
                "threshold": settings.GRADUATION_ATTENDANCE_PERCENT,
            },
        )
    return bool(recipients)


def attendance_warnings_retry_due(*, now: datetime | None = None) -> int:
    """Send again the attendance warnings whose email failed or whose worker died; return how many went.

    Run every few minutes by a django-q2 schedule.
    """
    due = outbox_due(AttendanceWarning.objects.all(), sent_field="sent_at", now=now or timezone.now())
    ids = list(due.values_list("pk", flat=True)[:RETRY_BATCH])
    return sum(attendance_warning_send(warning_id=pk) for pk in ids)


def attendance_warning_resend(*, warning: AttendanceWarning, actor: User) -> bool:
    """Queue an unsent attendance warning with its attempts given back; return False if it went meanwhile.

    The trainee's history records who sent it again.
    """
    with transaction.atomic():
        if not outbox_requeue(AttendanceWarning, warning.pk, sent_field="sent_at"):
            return False
        state_record(
            warning.enrollment,
            actor=actor,
            note=_("Attendance warning of the week of %(date)s sent again by staff.")
            % {"date": date_format(warning.week_of, "DATE_FORMAT")},
        )
        transaction.on_commit(lambda: async_task(attendance_warning_send, warning_id=warning.pk))
    return True
