"""Curricula, cohorts (N기), enrollments, marks, attendance and the milestones before graduation."""

import secrets
from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.models import Orderable

from core.outbox import OutboxFields
from core.roles import SEAL_COLLECTION_NAME, seal_collection_get
from core.states import Lifecycle, StateEvent
from core.validators import reject_rrn
from curriculum.certificates.storage import certificate_pdf_name, private_storage
from curriculum.errors import TrainingError
from recruiting.models import ANONYMISED_NAME, Applicant, Branch, RecruitmentRound, in_staff_branch

# The training lasts three months; the fourth month starts in the field (DOMAIN).
TRAINING_MONTHS = 3
# The registration training (등록교육) a solicitor needs before registering.
REQUIRED_REGISTRATION_HOURS = 20


class Area(models.TextChoices):
    INSURANCE_FINANCE = "insurance_finance", _("Insurance and financial knowledge")
    COMMUNICATION = "communication", _("Customer communication")
    CUSTOMER_MANAGEMENT = "customer_management", _("Customer management")
    SALES_SYSTEM = "sales_system", _("Sales system")
    LICENSING_EXAM = "licensing_exam", _("Licensing exam preparation")


class Assessment(models.TextChoices):
    COMPLETION = "completion", _("Completion")
    SCORE = "score", _("Score with a pass mark")


class Curriculum(ClusterableModel):
    """A training programme: ordered modules over a number of weeks. Editable data, not code."""

    name = models.CharField(
        _("name"), max_length=100, unique=True, help_text=_("e.g. CS RC 기본 과정"), validators=[reject_rrn]
    )
    weeks = models.PositiveSmallIntegerField(
        _("weeks"), default=13, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    description = models.TextField(_("description"), blank=True, validators=[reject_rrn])
    total_hours = models.PositiveSmallIntegerField(
        _("training hours"),
        default=390,
        validators=[MinValueValidator(1), MaxValueValidator(2000)],
        help_text=_("Printed on the completion certificate"),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("weeks"),
        FieldPanel("total_hours"),
        FieldPanel("description"),
        InlinePanel("modules", heading=_("Modules"), label=_("module")),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("curriculum")
        verbose_name_plural = _("curricula")

    def __str__(self) -> str:
        return self.name


class Module(Orderable):
    """One unit of a curriculum, taught in a span of weeks and assessed one way."""

    curriculum = ParentalKey(Curriculum, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(_("title"), max_length=120, validators=[reject_rrn])
    area = models.CharField(_("area"), max_length=30, choices=Area.choices)
    week_start = models.PositiveSmallIntegerField(_("from week"), validators=[MinValueValidator(1)])
    week_end = models.PositiveSmallIntegerField(_("to week"), validators=[MinValueValidator(1)])
    assessment = models.CharField(
        _("assessment"), max_length=20, choices=Assessment.choices, default=Assessment.COMPLETION
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Out of 100; only for modules assessed by score"),
    )
    is_required = models.BooleanField(_("required"), default=True, help_text=_("Needed to graduate"))

    class Meta(Orderable.Meta):
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.CheckConstraint(
                condition=Q(week_end__gte=F("week_start")),
                name="module_ends_after_it_starts",
                violation_error_message=_("A module cannot end before the week it starts."),
            ),
            models.CheckConstraint(
                condition=Q(assessment=Assessment.COMPLETION, pass_mark=None)
                | Q(assessment=Assessment.SCORE, pass_mark__isnull=False),
                name="module_pass_mark_matches_assessment",
                violation_error_message=_(
                    "A module assessed by score needs a pass mark; a completion module has none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CohortStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    TRAINING = "training", _("In training")
    COMPLETED = "completed", _("Completed")


# A cohort follows its dates: the daily job moves it on its first day and after its last.
COHORT_TRANSITIONS = {
    CohortStatus.PLANNED: [CohortStatus.TRAINING],
    CohortStatus.TRAINING: [CohortStatus.COMPLETED],
    CohortStatus.COMPLETED: [],
}


class CohortQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CohortQuerySet":
        """Return the cohorts `user` may see: all for HR, their branch's for branch staff, their own for trainers."""
        if user.has_perm("recruiting.view_all_branches"):
            return self
        if user.has_perm("curriculum.mark_cohort"):
            return self.filter(trainers=user)
        if user.has_perm("curriculum.view_cohort"):
            return in_staff_branch(self, user)
        return self.none()


class Cohort(models.Model):
    """A numbered training class (N기) of one branch, following one curriculum for three months."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True, help_text=_("The N of N기"))
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="cohorts")
    curriculum = models.ForeignKey(
        Curriculum, verbose_name=_("curriculum"), on_delete=models.PROTECT, related_name="cohorts"
    )
    round = models.ForeignKey(
        RecruitmentRound,
        verbose_name=_("recruitment round"),
        on_delete=models.PROTECT,
        related_name="cohorts",
        help_text=_("The round whose accepted applicants it takes"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), editable=False)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("trainers"), related_name="cohorts_trained", blank=True
    )
    capacity = models.PositiveSmallIntegerField(
        _("seats"), validators=[MinValueValidator(1), MaxValueValidator(200)], default=30
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CohortStatus.choices,
        default=CohortStatus.PLANNED,
        editable=False,
        help_text=_("Follows the dates: in training from the first day, completed after the last"),
    )

    objects = CohortQuerySet.as_manager()
    lifecycle = Lifecycle(transitions=COHORT_TRANSITIONS, history="events", error=TrainingError)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        permissions = [("mark_cohort", _("Can mark modules and attendance of their cohorts"))]

    def __str__(self) -> str:
        return _("Cohort %(number)s (%(branch)s)") % {"number": self.number, "branch": self.branch.name}

    def save(self, *args, **kwargs) -> None:
        self.ends_on = self.training_end(self.starts_on)
        super().save(*args, **kwargs)

    @staticmethod
    def training_end(starts_on: date) -> date:
        """Return the last day of training: three months after the start, less a day."""
        return starts_on + relativedelta(months=TRAINING_MONTHS) - relativedelta(days=1)

    @property
    def field_starts_on(self) -> date:
        """Return the first day of month 4, when graduates start in the field."""
        return self.starts_on + relativedelta(months=TRAINING_MONTHS)


class CohortEvent(StateEvent):
    """One move of a cohort's status, most often by the daily job."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="events")

    class Meta(StateEvent.Meta):
        verbose_name = _("cohort event")
        verbose_name_plural = _("cohort events")


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("In training")
    GRADUATED = "graduated", _("Graduated")
    LEFT = "left", _("Left the training")


# Graduating and leaving are final: marks, attendance and certificates rely on them.
ENROLLMENT_TRANSITIONS = {
    EnrollmentStatus.ACTIVE: [EnrollmentStatus.GRADUATED, EnrollmentStatus.LEFT],
    EnrollmentStatus.GRADUATED: [],
    EnrollmentStatus.LEFT: [],
}


class Enrollment(models.Model):
    """An accepted applicant in a cohort (입과): the trainee, with the milestones they need to sell."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrollments")
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(
        _("status"), max_length=20, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    graduated_at = models.DateTimeField(_("graduated at"), null=True, blank=True)
    graduated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("graduated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Filled only when HR graduated the trainee before the cohort's last day: the reason for the decision.
    early_graduation_reason = models.CharField(
        _("reason for graduating early"), max_length=200, blank=True, validators=[reject_rrn]
    )
    exam_date = models.DateField(_("licensing exam date"), null=True, blank=True)
    exam_score = models.PositiveSmallIntegerField(
        _("licensing exam score"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    exam_passed = models.BooleanField(_("licensing exam passed"), default=False)
    registration_hours = models.DecimalField(
        _("registration training hours"),
        max_digits=4,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(200)],
    )
    registered_on = models.DateField(_("registered with the association on"), null=True, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=30, blank=True, validators=[reject_rrn])

    lifecycle = Lifecycle(transitions=ENROLLMENT_TRANSITIONS, history="events", error=TrainingError)

    class Meta:
        ordering = ["cohort", "applicant__name", "pk"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant"],
                condition=Q(status="active"),
                name="one_active_enrollment_per_person",
            ),
            models.UniqueConstraint(fields=["cohort", "applicant"], name="one_enrollment_per_cohort"),
            models.CheckConstraint(
                condition=Q(early_graduation_reason="") | Q(status="graduated"),
                name="early_graduation_only_for_graduates",
                violation_error_message=_("Only a graduate can have graduated early."),
            ),
            models.CheckConstraint(
                condition=Q(exam_passed=False) | Q(exam_date__isnull=False),
                name="exam_passed_has_a_date",
                violation_error_message=_("Give the date of the exam that was passed."),
            ),
            models.CheckConstraint(
                condition=Q(registered_on__isnull=True, registration_number="")
                | (Q(registered_on__isnull=False) & ~Q(registration_number="")),
                name="registration_date_and_number_together",
                violation_error_message=_("Give both the registration date and its number, or neither."),
            ),
            models.CheckConstraint(
                condition=Q(registered_on__isnull=True) | Q(exam_passed=True),
                name="registration_after_the_exam",
                violation_error_message=_("Registration comes after passing the licensing exam."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant.name} · {self.cohort}"

    @property
    def registration_hours_complete(self) -> bool:
        return self.registration_hours >= REQUIRED_REGISTRATION_HOURS

    @property
    def graduated_early(self) -> bool:
        return bool(self.early_graduation_reason)

    @property
    def training_ended_on(self) -> date:
        """Return the last day this trainee trained: the day HR graduated them early, or the cohort's last day."""
        if self.graduated_early:
            return timezone.localdate(self.graduated_at)
        return self.cohort.ends_on


class EnrollmentEvent(StateEvent):
    """One move of a trainee's status, or a change of their milestones (from and to the same status)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="events")

    class Meta(StateEvent.Meta):
        verbose_name = _("enrollment event")
        verbose_name_plural = _("enrollment events")


class ResultStatus(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class ModuleResult(models.Model):
    """A trainee's mark in one module; every change is kept in ModuleResultChange."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="results")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="results")
    status = models.CharField(_("result"), max_length=10, choices=ResultStatus.choices)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True, validators=[MaxValueValidator(100)])
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    marked_at = models.DateTimeField(_("marked at"))

    class Meta:
        verbose_name = _("module result")
        verbose_name_plural = _("module results")
        constraints = [models.UniqueConstraint(fields=["enrollment", "module"], name="one_result_per_module")]

    def __str__(self) -> str:
        return f"{self.module}: {self.get_status_display()}"


class ModuleResultChange(models.Model):
    """One change of a mark: what it became, who changed it and when (the cell's history)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="result_changes")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=ResultStatus.choices, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["enrollment", "module"])]

    def __str__(self) -> str:
        return f"{self.module} → {self.status or '-'} {self.score or ''}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


# What counts as attending the morning meeting for the attendance rate.
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class Attendance(models.Model):
    """A trainee at one morning meeting (아침 조회)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attendance")
    day = models.DateField(_("day"))
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["day", "enrollment"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["enrollment", "day"], name="one_attendance_per_day")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.get_status_display()}"


class AttendanceChange(models.Model):
    """A change to a meeting day's attendance after that day, with the reason it was needed."""

    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="changes")
    # Blank when the day is recorded for the first time after it passed.
    from_status = models.CharField(max_length=10, choices=AttendanceStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    reason = models.CharField(_("reason"), max_length=200, validators=[reject_rrn])
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class AttendanceWarning(OutboxFields):
    """A trainee under the attendance threshold, reported to trainers and the branch manager once a week.

    Its email is claimed, sent and retried through `core.outbox`.
    """

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attendance_warnings")
    week_of = models.DateField(help_text=_("The Monday of the week it was sent"))
    attendance_rate = models.DecimalField(max_digits=4, decimal_places=1)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrollment", "week_of"], name="one_warning_per_trainee_week")]

    def __str__(self) -> str:
        return f"{self.enrollment} {self.week_of}"


@register_setting(icon="doc-full")
class CertificateSettings(BaseGenericSetting):
    """Who issues the completion certificates, and the seal printed on them."""

    issuer_name = models.CharField(
        _("issuing authority"),
        max_length=100,
        default="CS RC 교육센터장",
        help_text=_("e.g. the head of the insurer's CS RC training centre"),
        validators=[reject_rrn],
    )
    seal = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("seal or signature"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A PNG with a transparent background works best; printed beside the issuer"),
    )

    panels = [FieldPanel("issuer_name"), FieldPanel("seal")]

    class Meta:
        verbose_name = _("certificate settings")

    def clean(self) -> None:
        """Refuse a seal from outside its collection: HR may upload there, and only HR's seal is printed."""
        super().clean()
        if self.seal_id is None:
            return
        collection = seal_collection_get()
        if collection is None or self.seal.collection_id != collection.pk:
            raise ValidationError(
                {
                    "seal": _("Choose the seal from the “%(collection)s” collection.")
                    % {"collection": SEAL_COLLECTION_NAME}
                }
            )


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded by a reissue")


# A revoked or replaced certificate stays the record of what was printed; it never comes back.
CERTIFICATE_TRANSITIONS = {
    CertificateStatus.VALID: [CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED],
    CertificateStatus.REVOKED: [],
    CertificateStatus.SUPERSEDED: [],
}


# Codes people type from paper: no 0/O, 1/I/L.
VERIFICATION_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_verification_code() -> str:
    """Return a random code for the public verification page (about 59 bits: not guessable)."""
    return "".join(secrets.choice(VERIFICATION_ALPHABET) for _ in range(12))


class CertificateCounter(models.Model):
    """The last certificate number given in a year; its row lock makes the numbers gap-free."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_serial = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_serial}"


class Certificate(OutboxFields):
    """A completion certificate (수료증): a frozen snapshot of everything printed, and its PDF.

    The email with its download link is claimed, sent and retried through `core.outbox`.
    """

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="certificates")
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial"))
    verification_code = models.CharField(max_length=16, unique=True, default=new_verification_code, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    # The snapshot: what the PDF prints, never recomputed from the live rows.
    holder_name = models.CharField(_("name"), max_length=40)
    program = models.CharField(_("program"), max_length=100)
    cohort_label = models.CharField(_("cohort"), max_length=60)
    branch_name = models.CharField(_("branch"), max_length=40)
    starts_on = models.DateField(_("training started"))
    ends_on = models.DateField(_("training ended"))
    hours = models.PositiveSmallIntegerField(_("training hours"))
    issued_on = models.DateField(_("issued on"))
    issuer_name = models.CharField(_("issuing authority"), max_length=100)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by", verbose_name=_("replaces")
    )
    revoked_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True, validators=[reject_rrn])
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked or replaced by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Kept where no URL maps to; only the signed download link and the staff view send it.
    pdf = models.FileField(_("PDF"), upload_to=certificate_pdf_name, storage=private_storage, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    lifecycle = Lifecycle(transitions=CERTIFICATE_TRANSITIONS, history="events", error=TrainingError)

    class Meta:
        ordering = ["-year", "-serial"]
        verbose_name = _("completion certificate")
        verbose_name_plural = _("completion certificates")
        permissions = [("issue_certificate", _("Can issue, revoke and reissue completion certificates"))]
        constraints = [
            models.UniqueConstraint(fields=["year", "serial"], name="one_certificate_per_number"),
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(status="valid"),
                name="one_valid_certificate_per_trainee",
            ),
            models.CheckConstraint(
                # Only valid ones: a revoked or replaced certificate stays the record of what was printed.
                condition=Q(issued_on__gte=F("ends_on")) | ~Q(status="valid"),
                name="certificate_issued_after_training_ended",
                violation_error_message=_("A certificate cannot be dated before the training it certifies ended."),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """Return the printed number, e.g. 제 2026-0001 호."""
        return f"제 {self.year}-{self.serial:04d} 호"

    @property
    def masked_name(self) -> str:
        """Return the holder's name with its middle hidden, as the public page shows it (김*진)."""
        return mask_name(self.holder_name)

    @property
    def holder_destroyed(self) -> bool:
        """Return whether the holder's personal data was destroyed at the end of its retention."""
        return self.holder_name == ANONYMISED_NAME


class CertificateEvent(StateEvent):
    """One move of a certificate's status: its issue, and its revoking or replacement with the reason."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")

    class Meta(StateEvent.Meta):
        verbose_name = _("certificate event")
        verbose_name_plural = _("certificate events")


def mask_name(name: str) -> str:
    """Hide all but the first and last character of a name: 김민진 → 김*진, 이수 → 이*."""
    if len(name) <= 2:
        return name[:1] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


BATCH_TRANSITIONS = {
    BatchStatus.QUEUED: [BatchStatus.RUNNING],
    BatchStatus.RUNNING: [BatchStatus.FINISHED],
    BatchStatus.FINISHED: [],
}


class CertificateBatch(models.Model):
    """Issuing the certificates of a whole cohort in the worker, with the progress HR watches."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="certificate_batches")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    lifecycle = Lifecycle(transitions=BATCH_TRANSITIONS, history="events", error=TrainingError)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Two batches of one cohort would share its missing certificates and each
            # report a count that is not its own; a second start gets the first instead.
            models.UniqueConstraint(
                fields=["cohort"],
                condition=Q(status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING]),
                name="one_batch_in_progress_per_cohort",
            ),
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="batch_done_within_total"),
        ]

    def __str__(self) -> str:
        return f"{self.cohort} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


class CertificateBatchEvent(StateEvent):
    """One step of a batch: queued by HR, picked up and finished by the worker."""

    batch = models.ForeignKey(CertificateBatch, on_delete=models.CASCADE, related_name="events")

    class Meta(StateEvent.Meta):
        verbose_name = _("certificate batch event")
        verbose_name_plural = _("certificate batch events")
