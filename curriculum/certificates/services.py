"""Completion certificates: issuing with gap-free numbers, the PDF and its email, the download link,
revoking and reissuing, and the batch that issues a whole cohort's in the worker.

Every status change goes through `core.states` and writes a `CertificateEvent` or a
`CertificateBatchEvent` with the person who acted (none for the worker).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from core.emails import send_templated_email
from core.outbox import RETRY_BATCH, outbox_due, outbox_requeue, outbox_send
from core.states import state_change, state_record, state_start
from core.validators import text_refusal
from curriculum.certificates.renderer import CertificateData, CertificateRenderer
from curriculum.errors import TrainingError
from curriculum.models import (
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateCounter,
    CertificateSettings,
    CertificateStatus,
    Cohort,
    Enrollment,
    EnrollmentStatus,
)
from curriculum.services import meeting_days

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DOWNLOAD_SALT = "curriculum.certificate.download"


def certificate_issue(*, enrollment: Enrollment, actor: User | None, render_later: bool = True) -> Certificate:
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
    *, enrollment: Enrollment, actor: User | None, replaces: Certificate | None = None, render_later: bool = True
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
    note = _("Replaces %(number)s") % {"number": replaces.number} if replaces is not None else ""
    state_start(certificate, actor=actor, note=note)
    if render_later:
        transaction.on_commit(lambda: async_task(certificate_render, certificate_id=certificate.pk))
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
            # The field gives the file a random name in the private storage (certificates.storage).
            locked.pdf.save("certificate.pdf", ContentFile(pdf))
    certificate_email_send(certificate_id=certificate_id)
    return rendered


def certificate_download_token(certificate: Certificate) -> str:
    """Return the secret of the graduate's private download link; it expires (CERTIFICATE_LINK_DAYS)."""
    return signing.dumps(certificate.pk, salt=DOWNLOAD_SALT, compress=True)


def certificate_for_download_token(token: str) -> Certificate | None:
    """Return the certificate of a download link that has not expired, or None; the caller checks it is still valid."""
    try:
        pk = signing.loads(token, salt=DOWNLOAD_SALT, max_age=timedelta(days=settings.CERTIFICATE_LINK_DAYS))
    except signing.BadSignature:
        return None
    return Certificate.objects.filter(pk=pk).exclude(pdf="").first()


def certificate_email_send(*, certificate_id: int) -> bool:
    """Email the graduate their private download link once; return whether it was sent now.

    The certificate is claimed, the email sent outside any transaction, and the result
    recorded (`core.outbox`): a failed send is tried again by `certificate_emails_retry_due`.
    """
    return outbox_send(Certificate, certificate_id, sent_field="emailed_at", send=_certificate_email)


def _certificate_email(certificate_id: int) -> bool:
    """Send the download link of the certificate; return False when there is nothing to send."""
    certificate = Certificate.objects.select_related("enrollment__applicant").get(pk=certificate_id)
    email = certificate.enrollment.applicant.email
    if not email or not certificate.pdf or certificate.status != CertificateStatus.VALID:
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
    return True


def certificate_emails_retry_due(*, now: datetime | None = None) -> int:
    """Render and email again the certificates whose email failed or whose worker died; return how many went.

    Run every few minutes by a django-q2 schedule. Rendering skips a PDF that exists, and
    renders one a dead worker left missing before emailing it.
    """
    valid = Certificate.objects.filter(status=CertificateStatus.VALID)
    due = outbox_due(valid, sent_field="emailed_at", now=now or timezone.now())
    ids = list(due.values_list("pk", flat=True)[:RETRY_BATCH])
    sent = 0
    for pk in ids:
        certificate_render(certificate_id=pk)
        sent += Certificate.objects.filter(pk=pk, emailed_at__isnull=False).exists()
    return sent


def certificate_email_resend(*, certificate: Certificate, actor: User) -> bool:
    """Queue an unsent certificate email with its attempts given back; return False if it went meanwhile.

    The certificate's history records who sent it again.
    """
    with transaction.atomic():
        if not outbox_requeue(Certificate, certificate.pk, sent_field="emailed_at"):
            return False
        state_record(certificate, actor=actor, note=_("Certificate email sent again by staff."))
        transaction.on_commit(lambda: async_task(certificate_email_send, certificate_id=certificate.pk))
    return True


def _certificate_close(
    *, certificate: Certificate, actor: User, status: CertificateStatus, reason: str, refused: str
) -> Certificate:
    """Mark a valid certificate revoked or superseded with the reason; `refused` says why another cannot be."""
    if unsafe := text_refusal(reason):
        raise TrainingError(unsafe)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != CertificateStatus.VALID:
        raise TrainingError(refused)
    reason = reason.strip()
    certificate, _event = state_change(
        certificate,
        to=status,
        actor=actor,
        note=reason,
        changes={"revoked_reason": reason, "revoked_at": timezone.now(), "revoked_by": actor},
    )
    return certificate


def certificate_revoke(*, certificate: Certificate, actor: User, reason: str) -> Certificate:
    """Revoke a certificate with a reason; the verification page then says it is revoked."""
    if not reason.strip():
        raise TrainingError(_("Give the reason for revoking the certificate."))
    with transaction.atomic():
        return _certificate_close(
            certificate=certificate,
            actor=actor,
            status=CertificateStatus.REVOKED,
            reason=reason,
            refused=_("Only a valid certificate can be revoked."),
        )


def certificate_reissue(*, certificate: Certificate, actor: User, reason: str) -> Certificate:
    """Replace a certificate with a new number that points to it (e.g. a corrected name); return the new one."""
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
        return _certificate_create(enrollment=enrollment, actor=actor, replaces=old)


def _missing_certificates(cohort: Cohort) -> QuerySet[Enrollment]:
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


def certificate_batch_start(*, cohort: Cohort, actor: User) -> CertificateBatch:
    """Queue the issuing of every missing certificate of the cohort; the worker does the work.

    A cohort has one batch in progress at a time: starting another returns that one and
    queues its run again, so a batch whose worker died goes on when HR presses again.
    Two runs of one batch issue, render and email each certificate once (the rows they
    lock see to it) and count from what is done, not from what each of them did.
    """
    in_progress = CertificateBatch.objects.filter(cohort=cohort, status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING])
    batch = in_progress.first()
    if batch is None:
        try:
            with transaction.atomic():
                batch = CertificateBatch.objects.create(
                    cohort=cohort, requested_by=actor, total=_missing_certificates(cohort).count()
                )
                state_start(batch, actor=actor)
        except IntegrityError:
            # Someone started one between our look and our insert; the constraint
            # (one_batch_in_progress_per_cohort) made us wait for their commit and refused ours.
            batch = in_progress.get()
    batch_id = batch.pk
    transaction.on_commit(lambda: async_task(certificate_batch_run, batch_id=batch_id))
    return batch


def certificate_batch_run(*, batch_id: int) -> int:
    """Issue and render each missing certificate of the batch's cohort; return how many were done now.

    Every certificate is issued in its own transaction and counted as it goes, so HR sees
    the progress, and a run stopped half-way (a killed worker) leaves finished
    certificates finished. A retry of the same task, or a run queued again by HR, finds
    the batch running and goes on with the ones still missing: `certificate_issue`
    returns a trainee's valid certificate instead of making a second, and rendering
    skips a PDF that exists. A finished batch is not run again; HR starts a new one.

    `total` is what was done plus what is missing when a run begins, and `done` is
    counted from the certificates still missing, never above `total`: two runs of one
    batch at once do not count a certificate twice.
    """
    with transaction.atomic():
        batch = CertificateBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == BatchStatus.FINISHED:
            return 0
        missing = list(_missing_certificates(batch.cohort))
        total = batch.done + len(missing)
        if batch.status == BatchStatus.QUEUED:
            state_change(batch, to=BatchStatus.RUNNING, actor=None, changes={"total": total})
        else:
            batch.total = total
            batch.save(update_fields=["total"])
    done = 0
    for enrollment in missing:
        certificate = certificate_issue(enrollment=enrollment, actor=batch.requested_by, render_later=False)
        certificate_render(certificate_id=certificate.pk)
        done += 1
        left = _missing_certificates(batch.cohort).count()
        CertificateBatch.objects.filter(pk=batch.pk).update(done=Greatest(F("done"), F("total") - left))
    with transaction.atomic():
        batch = CertificateBatch.objects.select_for_update().get(pk=batch_id)
        # Another run of the batch may have finished it while this one went over the same certificates.
        if batch.status == BatchStatus.RUNNING:
            state_change(
                batch,
                to=BatchStatus.FINISHED,
                actor=None,
                changes={"done": batch.total, "finished_at": timezone.now()},
            )
    return done
