"""Every write of curriculum that changes a status, touches several rows or has a side effect (DESIGN §3)."""

import logging
from datetime import date, timedelta

import holidays
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from core.emails import send_templated_email
from core.roles import Role
from curriculum.certificates import CertificateData, CertificateRenderer
from curriculum.defaults import DEFAULT_CURRICULUM_DESCRIPTION, DEFAULT_CURRICULUM_NAME, DEFAULT_MODULES
from curriculum.errors import MarkError, TrainingError
from curriculum.models import (
    Assessment,
    Attendance,
    AttendanceChange,
    AttendanceStatus,
    AttendanceWarning,
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateCounter,
    CertificateSettings,
    CertificateStatus,
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
from recruiting.models import Applicant, ApplicantStatus
from recruiting.services import applicant_enroll

User = get_user_model()
DOWNLOAD_SALT = "curriculum.certificate.download"
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


def enrollment_enroll(*, cohort: Cohort, applicant: Applicant, actor) -> Enrollment:
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
        return Enrollment.objects.create(cohort=cohort, applicant=applicant)


def cohort_enroll_accepted(*, cohort: Cohort, actor) -> tuple[int, list[str]]:
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


def marks_save(*, cohort: Cohort, actor, cells: dict[tuple[int, int], str]) -> int:
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


def attendance_save(*, cohort: Cohort, day: date, actor, exceptions: dict[int, str], reason: str = "") -> int:
    """Record the morning meeting of `day`: everyone present except the exceptions given.

    `exceptions` maps enrollment ids to late, excused or absent. Editing a day that has
    passed needs a reason, and every status it changes is logged with that reason.
    Returns how many rows changed.
    """
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


def _graduate(enrollment: Enrollment, *, actor, early_reason: str = "") -> None:
    enrollment.status = EnrollmentStatus.GRADUATED
    enrollment.graduated_at = timezone.now()
    enrollment.graduated_by = actor
    enrollment.early_graduation_reason = early_reason
    enrollment.save(update_fields=["status", "graduated_at", "graduated_by", "early_graduation_reason"])
    logger.info("Enrollment %s graduated by %s%s", enrollment.pk, actor, " early" if early_reason else "")


def enrollment_graduate(*, enrollment: Enrollment, actor) -> Enrollment:
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


def may_graduate_early(user) -> bool:
    """Return whether `user` may decide an early graduation: HR, who manage cohorts across every branch."""
    return user.has_perm("curriculum.change_cohort") and user.has_perm("recruiting.view_all_branches")


def enrollment_graduate_early(*, enrollment: Enrollment, actor, reason: str) -> Enrollment:
    """Graduate a trainee before the cohort's last day, as HR's recorded decision with its reason.

    It waives the date alone: every other requirement of the gate still holds. The
    certificate then states the day they really finished, not the cohort's planned end.
    """
    if not may_graduate_early(actor):
        raise TrainingError(_("Only HR can graduate a trainee early."))
    reason = reason.strip()
    if not reason:
        raise TrainingError(_("Give the reason for graduating early."))
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


def cohort_graduate_eligible(*, cohort: Cohort, actor) -> int:
    """Graduate every trainee of the cohort the gate lets through; return how many."""
    with transaction.atomic():
        # Lock the cohort's trainees before reading the gate, so the verdict holds when it is applied.
        list(cohort.enrollments.select_for_update().filter(status=EnrollmentStatus.ACTIVE))
        _modules, report = cohort_progress(cohort, today=timezone.localdate())
        eligible = [trainee.enrollment.pk for trainee in report if trainee.may_graduate]
        graduated = Enrollment.objects.filter(pk__in=eligible).update(
            status=EnrollmentStatus.GRADUATED, graduated_at=timezone.now(), graduated_by=actor
        )
    logger.info("Cohort %s: %d graduated by %s", cohort.pk, graduated, actor)
    return graduated


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
                    transaction.on_commit(
                        lambda pk=warning.pk: async_task("curriculum.tasks.attendance_warning_send", pk)
                    )
                    queued += 1
    return queued


def attendance_warning_send(*, warning_id: int) -> bool:
    """Email one attendance warning to the cohort's trainers and branch managers, unless it was sent."""
    with transaction.atomic():
        warning = (
            AttendanceWarning.objects.select_for_update(of=("self",))
            .select_related("enrollment__applicant", "enrollment__cohort__branch")
            .get(pk=warning_id)
        )
        if warning.sent_at is not None:
            return False
        cohort = warning.enrollment.cohort
        recipients = sorted(
            {user.email for user in cohort.trainers.all() if user.email}
            | set(
                User.objects.filter(
                    staff_profile__branch=cohort.branch, groups__name=Role.BRANCH_MANAGER, is_active=True
                )
                .exclude(email="")
                .values_list("email", flat=True)
            )
        )
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
        warning.sent_at = timezone.now()
        warning.save(update_fields=["sent_at"])
    return True


def certificate_issue(*, enrollment: Enrollment, actor, render_later: bool = True) -> Certificate:
    """Issue the trainee's completion certificate, or return the valid one they already have.

    The year's counter row is locked in the same transaction that creates the
    certificate, so numbers are unique and gap-free even when several workers issue at
    once: a transaction that fails gives its number back with its rollback. The PDF is
    rendered after commit by the worker.
    """
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("applicant", "cohort__branch", "cohort__curriculum")
            .get(pk=enrollment.pk)
        )
        existing = enrollment.certificates.filter(status=CertificateStatus.VALID).first()
        if existing is not None:
            return existing
        if enrollment.status != EnrollmentStatus.GRADUATED:
            raise TrainingError(_("Only a graduate gets a completion certificate."))
        return _certificate_create(enrollment=enrollment, actor=actor, render_later=render_later)


def _certificate_create(
    *, enrollment: Enrollment, actor, replaces: Certificate | None = None, render_later: bool = True
) -> Certificate:
    today = timezone.localdate()
    ended_on = enrollment.training_ended_on
    if today < ended_on:
        raise TrainingError(
            _("A certificate cannot be dated before the training ended (%(date)s).")
            % {"date": date_format(ended_on, "DATE_FORMAT")}
        )
    counter, _created = CertificateCounter.objects.get_or_create(year=today.year)
    counter = CertificateCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    cohort = enrollment.cohort
    certificate = Certificate.objects.create(
        enrollment=enrollment,
        year=today.year,
        serial=counter.last_serial,
        holder_name=enrollment.applicant.name,
        program=cohort.curriculum.name,
        cohort_label=_("CS RC cohort %(number)s") % {"number": cohort.number},
        branch_name=cohort.branch.name,
        starts_on=cohort.starts_on,
        ends_on=ended_on,
        hours=_hours_trained(cohort, ended_on),
        issued_on=today,
        issuer_name=CertificateSettings.load().issuer_name,
        replaces=replaces,
        issued_by=actor,
    )
    logger.info("Certificate %s issued for enrollment %s by %s", certificate.number, enrollment.pk, actor)
    if render_later:
        transaction.on_commit(lambda: async_task("curriculum.tasks.certificate_render", certificate.pk))
    return certificate


def _hours_trained(cohort: Cohort, ended_on: date) -> int:
    """Return the curriculum's hours, or for an early graduate its share up to their last day, by meeting days."""
    days = meeting_days(cohort)
    if ended_on >= cohort.ends_on or not days:
        return cohort.curriculum.total_hours
    trained = sum(1 for day in days if day <= ended_on)
    return cohort.curriculum.total_hours * trained // len(days)


def certificate_data(certificate: Certificate) -> CertificateData:
    """Return what the renderer prints, from the certificate's snapshot and the current seal."""
    seal = CertificateSettings.load().seal
    seal_png = None
    if seal is not None:
        with seal.file.open("rb") as image:
            seal_png = image.read()
    return CertificateData(
        number=certificate.number,
        holder_name=certificate.holder_name,
        program=certificate.program,
        cohort_label=certificate.cohort_label,
        branch_name=certificate.branch_name,
        starts_on=certificate.starts_on,
        ends_on=certificate.ends_on,
        hours=certificate.hours,
        issued_on=certificate.issued_on,
        issuer_name=certificate.issuer_name,
        verification_code=certificate.verification_code,
        verify_url=settings.SITE_URL + reverse("certificates:verify", args=[certificate.verification_code]),
        seal_png=seal_png,
    )


def certificate_render(*, certificate_id: int) -> bool:
    """Render the certificate's PDF and save it to its file, unless it has one, then email the graduate once.

    Returns whether it rendered. A PDF that exists still gets its email sent if it has
    none: a worker that died between saving the PDF and sending would otherwise leave
    the graduate without her link for good.
    """
    certificate = Certificate.objects.get(pk=certificate_id)
    if certificate.pdf:
        certificate_email_send(certificate_id=certificate_id)
        return False
    pdf = CertificateRenderer().render(certificate_data(certificate))
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate_id)
        rendered = not locked.pdf
        if rendered:
            locked.pdf.save(f"{locked.year}-{locked.serial:04d}-{locked.verification_code}.pdf", ContentFile(pdf))
    certificate_email_send(certificate_id=certificate_id)
    return rendered


def certificate_download_token(certificate: Certificate) -> str:
    """Return the secret of the graduate's private download link; it expires (CERTIFICATE_LINK_DAYS)."""
    return signing.dumps(certificate.pk, salt=DOWNLOAD_SALT, compress=True)


def certificate_for_download_token(token: str) -> Certificate | None:
    """Return the valid certificate of a download link that has not expired, or None."""
    try:
        pk = signing.loads(token, salt=DOWNLOAD_SALT, max_age=timedelta(days=settings.CERTIFICATE_LINK_DAYS))
    except signing.BadSignature:
        return None
    return Certificate.objects.filter(pk=pk, status=CertificateStatus.VALID).exclude(pdf="").first()


def certificate_email_send(*, certificate_id: int) -> bool:
    """Email the graduate their private download link once; return whether it was sent now."""
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("enrollment__applicant")
            .get(pk=certificate_id)
        )
        email = certificate.enrollment.applicant.email
        if certificate.emailed_at is not None or not email or certificate.status != CertificateStatus.VALID:
            return False
        token = certificate_download_token(certificate)
        send_templated_email(
            "certificate_issued",
            to=email,
            context={
                "certificate": certificate,
                "download_url": reverse("certificates:download", args=[token]),
                "days": settings.CERTIFICATE_LINK_DAYS,
            },
        )
        certificate.emailed_at = timezone.now()
        certificate.save(update_fields=["emailed_at"])
    return True


def _certificate_close(*, certificate: Certificate, actor, status: str, reason: str, refused: str) -> Certificate:
    """Lock a valid certificate and mark it revoked or superseded with the reason; `refused` says why not."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != CertificateStatus.VALID:
        raise TrainingError(refused)
    certificate.status = status
    certificate.revoked_reason = reason.strip()
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = actor
    certificate.save(update_fields=["status", "revoked_reason", "revoked_at", "revoked_by"])
    return certificate


def certificate_revoke(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """Revoke a certificate with a reason; the verification page then says it is revoked."""
    if not reason.strip():
        raise TrainingError(_("Give the reason for revoking the certificate."))
    with transaction.atomic():
        certificate = _certificate_close(
            certificate=certificate,
            actor=actor,
            status=CertificateStatus.REVOKED,
            reason=reason,
            refused=_("Only a valid certificate can be revoked."),
        )
    logger.info("Certificate %s revoked by %s", certificate.number, actor)
    return certificate


def certificate_reissue(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """Replace a certificate with a new number that points to it (e.g. a corrected name)."""
    if not reason.strip():
        raise TrainingError(_("Give the reason for reissuing the certificate."))
    with transaction.atomic():
        old = _certificate_close(
            certificate=certificate,
            actor=actor,
            status=CertificateStatus.SUPERSEDED,
            reason=reason,
            refused=_("Only a valid certificate can be reissued."),
        )
        enrollment = Enrollment.objects.select_related("applicant", "cohort__branch", "cohort__curriculum").get(
            pk=old.enrollment_id
        )
        new = _certificate_create(enrollment=enrollment, actor=actor, replaces=old)
    logger.info("Certificate %s reissued as %s by %s", old.number, new.number, actor)
    return new


def _missing_certificates(cohort: Cohort):
    """Return the cohort's graduates without a valid certificate, or whose PDF or email is not done yet."""
    rendered = (
        Certificate.objects.filter(status=CertificateStatus.VALID)
        .exclude(pdf="")
        .filter(Q(emailed_at__isnull=False) | Q(enrollment__applicant__email=""))
    )
    return (
        cohort.enrollments.filter(status=EnrollmentStatus.GRADUATED)
        .exclude(pk__in=rendered.values("enrollment"))
        .order_by("applicant__name", "pk")
    )


def certificate_batch_start(*, cohort: Cohort, actor) -> CertificateBatch:
    """Queue the issuing of every missing certificate of the cohort; the worker does the work."""
    with transaction.atomic():
        batch = CertificateBatch.objects.create(
            cohort=cohort, requested_by=actor, total=_missing_certificates(cohort).count()
        )
        transaction.on_commit(lambda: async_task("curriculum.tasks.certificate_batch_run", batch.pk))
    return batch


def certificate_batch_run(*, batch_id: int) -> int:
    """Issue and render each missing certificate of the batch's cohort; return how many were done now.

    Every certificate is issued in its own transaction and counted as it goes, so HR sees
    the progress, and a run stopped half-way (a killed worker) leaves finished
    certificates finished. Running it again, or a retry of the same task, finds only the
    ones still missing: `certificate_issue` returns a trainee's valid certificate instead
    of making a second, and rendering skips a PDF that exists.
    """
    batch = CertificateBatch.objects.select_related("cohort", "requested_by").get(pk=batch_id)
    CertificateBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING)
    done = 0
    for enrollment in _missing_certificates(batch.cohort):
        certificate = certificate_issue(enrollment=enrollment, actor=batch.requested_by, render_later=False)
        certificate_render(certificate_id=certificate.pk)
        done += 1
        CertificateBatch.objects.filter(pk=batch.pk).update(done=F("done") + 1)
    CertificateBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.FINISHED, finished_at=timezone.now())
    return done
