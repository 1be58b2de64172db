import secrets
from datetime import date, timedelta
from urllib.parse import quote

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Count, F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from recruiting.phones import format_mobile


class Province(models.TextChoices):
    SEOUL = "seoul", _("Seoul")
    GYEONGGI = "gyeonggi", _("Gyeonggi-do")


class Branch(models.Model):
    """A CS branch (CS지점): where consultants are trained and work from."""

    name = models.CharField(_("name"), max_length=40, unique=True, help_text=_("e.g. 강서"))
    slug = models.SlugField(_("slug"), max_length=40, unique=True, help_text=_("Used in URLs, e.g. gangseo"))
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, help_text=_("e.g. 02-2187-2663"))
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return _("%(name)s CS branch") % {"name": self.name}

    @property
    def map_url(self) -> str:
        """Return a link that opens the branch's address in Naver Map."""
        return f"https://map.naver.com/p/search/{quote(self.address)}"


class District(models.Model):
    """A 시군구 of Seoul or Gyeonggi where applicants may live.

    The list is public administrative data installed by a migration; which branch
    serves a district is editable data, used to suggest a branch to an applicant.
    """

    province = models.CharField(_("province"), max_length=10, choices=Province.choices)
    name = models.CharField(_("district"), max_length=20)
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("serving branch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="districts",
    )

    class Meta:
        ordering = ["province", "name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="district_unique_per_province"),
        ]

    def __str__(self) -> str:
        return f"{self.get_province_display()} {self.name}"


class RoundQuerySet(models.QuerySet):
    def open(self, today: date | None = None) -> "RoundQuerySet":
        """Return the rounds taking applications on `today` (Seoul time)."""
        today = today or timezone.localdate()
        return self.filter(is_closed=False, opens_on__lte=today, closes_on__gte=today)


class RecruitmentRound(models.Model):
    """A recruitment round (모집): a period in which applications feed one cohort start."""

    title = models.CharField(_("title"), max_length=100, help_text=_("e.g. 2027년 1월 입과 CS RC 모집"))
    branches = models.ManyToManyField(
        Branch,
        verbose_name=_("branches"),
        related_name="rounds",
        blank=True,
        help_text=_("The branches recruiting in this round; none means all branches"),
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    cohort_starts_on = models.DateField(_("cohort starts on"), help_text=_("The start of the training it feeds"))
    capacity = models.PositiveIntegerField(_("capacity"), help_text=_("How many people the round means to accept"))
    is_closed = models.BooleanField(
        _("closed early"), default=False, help_text=_("A closed round takes no applications, whatever its dates")
    )

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "title"]
        verbose_name = _("recruitment round")
        verbose_name_plural = _("recruitment rounds")
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="round_closes_after_it_opens"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return not self.is_closed and self.opens_on <= today <= self.closes_on


class StaffProfile(models.Model):
    """The branch a recruiter or branch manager works for; it scopes what they see."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("Recruiters and branch managers see only this branch's applicants"),
    )

    class Meta:
        verbose_name = _("staff branch")
        verbose_name_plural = _("staff branches")

    def __str__(self) -> str:
        return f"{self.user} · {self.branch or '-'}"


def in_staff_branch(queryset: models.QuerySet, user, field: str = "branch_id") -> models.QuerySet:
    """Return the rows of `user`'s branch: every row for HR, none for staff without a branch."""
    if user.has_perm("recruiting.view_all_branches"):
        return queryset
    branch_id = staff_branch_id(user)
    return queryset.filter(**{field: branch_id}) if branch_id else queryset.none()


def staff_branch_id(user) -> int | None:
    """Return the id of the branch `user` works for, or None; cached on the user object."""
    if not hasattr(user, "_staff_branch_id"):
        user._staff_branch_id = StaffProfile.objects.filter(user=user).values_list("branch_id", flat=True).first()
    return user._staff_branch_id


class ApplicantStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    CONSULTATION_BOOKED = "consultation_booked", _("Consultation booked")
    CONSULTED = "consulted", _("Consulted")
    INTERVIEW = "interview", _("Interview")
    ACCEPTED = "accepted", _("Accepted")
    ENROLLED = "enrolled", _("Enrolled")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# An application is "live" until it is rejected or withdrawn; only live ones count
# for the one-application-per-mobile-per-round rule.
ENDED_STATUSES = (ApplicantStatus.REJECTED, ApplicantStatus.WITHDRAWN)
OPEN_STATUSES = (
    ApplicantStatus.SUBMITTED,
    ApplicantStatus.CONSULTATION_BOOKED,
    ApplicantStatus.CONSULTED,
    ApplicantStatus.INTERVIEW,
)

# The pipeline (DESIGN §4): forward one stage at a time; rejected and withdrawn from
# any open stage.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    ApplicantStatus.SUBMITTED: {
        ApplicantStatus.CONSULTATION_BOOKED,
        ApplicantStatus.REJECTED,
        ApplicantStatus.WITHDRAWN,
    },
    # Back to submitted when the consultation is cancelled without a new time.
    ApplicantStatus.CONSULTATION_BOOKED: {
        ApplicantStatus.SUBMITTED,
        ApplicantStatus.CONSULTED,
        ApplicantStatus.REJECTED,
        ApplicantStatus.WITHDRAWN,
    },
    ApplicantStatus.CONSULTED: {ApplicantStatus.INTERVIEW, ApplicantStatus.REJECTED, ApplicantStatus.WITHDRAWN},
    ApplicantStatus.INTERVIEW: {ApplicantStatus.ACCEPTED, ApplicantStatus.REJECTED, ApplicantStatus.WITHDRAWN},
    # Accepted people may still withdraw before they enroll; enrollment belongs to curriculum.
    ApplicantStatus.ACCEPTED: {ApplicantStatus.ENROLLED, ApplicantStatus.WITHDRAWN},
    ApplicantStatus.ENROLLED: set(),
    ApplicantStatus.REJECTED: set(),
    ApplicantStatus.WITHDRAWN: set(),
}


class RejectionReason(models.TextChoices):
    """Why an application was not taken further: job-related reasons only (DESIGN §2)."""

    NO_SHOW = "no_show", _("Did not come to the consultation or interview")
    UNREACHABLE = "unreachable", _("Could not be reached")
    SCHEDULE = "schedule", _("Available hours do not fit the training")
    AREA = "area", _("Lives outside the area our branches serve")
    LICENCE = "licence", _("Not eligible for the insurance solicitor licence")
    INTERVIEW = "interview", _("Interview assessment")
    ROUND_FULL = "round_full", _("The round is full")
    OTHER = "other", _("Other (explained in the note)")


class Source(models.TextChoices):
    REFERRAL = "referral", _("A friend or acquaintance")
    SEARCH = "search", _("Internet search")
    SOCIAL = "social", _("Social media")
    JOB_SITE = "job_site", _("Job site")
    BRANCH = "branch", _("A branch or an information session")
    OTHER = "other", _("Other")


class PreferredTime(models.TextChoices):
    WEEKDAY_MORNING = "weekday_morning", _("Weekday mornings")
    WEEKDAY_AFTERNOON = "weekday_afternoon", _("Weekday afternoons")
    WEEKDAY_EVENING = "weekday_evening", _("Weekday evenings")
    SATURDAY = "saturday", _("Saturdays")


def new_status_token() -> str:
    """Return a long random secret for the applicant's private status link."""
    return secrets.token_urlsafe(32)


class ApplicantQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ApplicantQuerySet":
        """Return the applicants `user` may see: every branch for HR, their own branch otherwise."""
        if not user.has_perm("recruiting.view_applicant"):
            return self.none()
        return in_staff_branch(self, user, "preferred_branch_id")


class Applicant(models.Model):
    """A person who applied (지원자): the root record that follows them to the pool.

    There is deliberately no field for sex, age, marital status, family, origin or a
    resident registration number (DESIGN §2). The birth year is kept for the licence
    eligibility check later in the process and is never used to screen.
    """

    round = models.ForeignKey(
        RecruitmentRound, verbose_name=_("recruitment round"), on_delete=models.PROTECT, related_name="applicants"
    )
    name = models.CharField(_("name"), max_length=40)
    mobile = models.CharField(_("mobile"), max_length=11, help_text=_("Digits only, e.g. 01012345678"))
    email = models.EmailField(_("email"), max_length=254)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    district = models.ForeignKey(
        District, verbose_name=_("district of residence"), on_delete=models.PROTECT, related_name="+"
    )
    preferred_branch = models.ForeignKey(
        Branch, verbose_name=_("preferred branch"), on_delete=models.PROTECT, related_name="applicants"
    )
    source = models.CharField(_("how they heard of us"), max_length=20, choices=Source.choices)
    motivation = models.TextField(_("motivation"), blank=True, max_length=1000)
    preferred_times = models.JSONField(_("preferred consultation times"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicantStatus.choices, default=ApplicantStatus.SUBMITTED
    )
    status_token = models.CharField(max_length=64, unique=True, default=new_status_token, editable=False)
    closed_at = models.DateTimeField(
        _("closed at"), null=True, blank=True, help_text=_("When the application was rejected or withdrawn")
    )
    deletion_requested_at = models.DateTimeField(_("deletion requested at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        permissions = [
            ("view_all_branches", _("Can see the applicants of every branch")),
            ("export_applicant", _("Can export applicant lists")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "mobile"],
                condition=~Q(status__in=ENDED_STATUSES),
                name="one_live_application_per_mobile_per_round",
            ),
        ]
        indexes = [
            models.Index(fields=["mobile"]),
            models.Index(fields=["email"]),
            # The list's default order (HR sees every branch) and each branch's own list.
            models.Index(fields=["-created_at"], name="applicant_newest_first"),
            models.Index(fields=["preferred_branch", "-created_at"]),
            models.Index(fields=["status", "updated_at"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def mobile_display(self) -> str:
        """Return the mobile number as Koreans write it: 010-1234-5678."""
        return format_mobile(self.mobile)

    @property
    def preferred_times_display(self) -> list[str]:
        """Return the preferred consultation times as their labels."""
        return [PreferredTime(value).label for value in self.preferred_times if value in PreferredTime.values]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def can_become(self, status: str) -> bool:
        return status in ALLOWED_TRANSITIONS[self.status]

    @property
    def can_withdraw(self) -> bool:
        return self.can_become(ApplicantStatus.WITHDRAWN)


class ApplicantEvent(models.Model):
    """One change in an application's life: history and audit in one row."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=ApplicantStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ApplicantStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=RejectionReason.choices, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("applicant event")
        verbose_name_plural = _("applicant events")

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class ApplicantNote(models.Model):
    """A staff member's note on an applicant (상담 메모); removed by the retention job."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="staff_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("note"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("staff note")
        verbose_name_plural = _("staff notes")

    def __str__(self) -> str:
        return f"{self.author} {self.created_at:%Y-%m-%d}"


class ConsentNotice(models.Model):
    """A consent notice (PIPA) shown on the application form, edited by editors.

    Every saved change to its wording becomes a new numbered, immutable
    ConsentNoticeVersion; an applicant's consent points at the version they saw.
    """

    key = models.SlugField(
        _("key"), max_length=40, unique=True, help_text=_("A fixed name for the notice, e.g. application")
    )
    title = models.CharField(_("title"), max_length=120, help_text=_("e.g. 개인정보 수집·이용 동의 (필수)"))
    is_required = models.BooleanField(
        _("required"), default=False, help_text=_("Only the consent needed to process an application is required")
    )
    purpose = models.TextField(_("purpose"), help_text=_("Why the data is collected and used"))
    items = models.TextField(_("items collected"), help_text=_("Every item of personal data collected"))
    retention = models.TextField(
        _("retention period"), help_text=_("How long the data is kept and when it is destroyed")
    )
    refusal = models.TextField(
        _("right to refuse"), help_text=_("That the applicant may refuse, and what follows if they do")
    )
    is_active = models.BooleanField(_("shown on the form"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    panels = [
        FieldPanel("title"),
        FieldPanel("key"),
        FieldPanel("is_required"),
        FieldPanel("purpose"),
        FieldPanel("items"),
        FieldPanel("retention"),
        FieldPanel("refusal"),
        FieldPanel("is_active"),
        FieldPanel("sort_order"),
    ]
    VERSIONED_FIELDS = ["title", "is_required", "purpose", "items", "retention", "refusal"]

    class Meta:
        # The table keeps the name it had when the public site's app held the model.
        db_table = "cms_consentnotice"
        ordering = ["sort_order", "pk"]
        verbose_name = _("consent notice")
        verbose_name_plural = _("consent notices")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            latest = self.versions.order_by("-number").first() if self.pk else None
            changed = latest is None or any(
                getattr(latest, field) != getattr(self, field) for field in self.VERSIONED_FIELDS
            )
            if changed:
                self.version = (latest.number if latest else 0) + 1
            super().save(*args, **kwargs)
            if changed:
                ConsentNoticeVersion.objects.create(
                    notice=self,
                    number=self.version,
                    **{field: getattr(self, field) for field in self.VERSIONED_FIELDS},
                )

    @property
    def current_version(self) -> "ConsentNoticeVersion":
        return self.versions.get(number=self.version)


class ConsentNoticeVersion(models.Model):
    """The exact wording of a consent notice as applicants saw it; never changed once written."""

    notice = models.ForeignKey(ConsentNotice, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=120)
    is_required = models.BooleanField(_("required"))
    purpose = models.TextField(_("purpose"))
    items = models.TextField(_("items collected"))
    retention = models.TextField(_("retention period"))
    refusal = models.TextField(_("right to refuse"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "cms_consentnoticeversion"
        ordering = ["notice", "number"]
        verbose_name = _("consent notice version")
        verbose_name_plural = _("consent notice versions")
        constraints = [models.UniqueConstraint(fields=["notice", "number"], name="one_number_per_notice_version")]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("A consent notice version is immutable; edit the notice to make a new one.")
        super().save(*args, **kwargs)


class ApplicantConsent(models.Model):
    """What the applicant agreed to (or declined), against the notice version they saw."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="consents")
    notice_version = models.ForeignKey(ConsentNoticeVersion, on_delete=models.PROTECT, related_name="+")
    given = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(fields=["applicant", "notice_version"], name="one_consent_per_notice_version"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_version}: {'✓' if self.given else '✗'}"


class SlotKind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    INTERVIEW = "interview", _("Interview")


class SlotQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SlotQuerySet":
        """Return the slots `user` may manage: every branch for HR, their own branch otherwise."""
        return in_staff_branch(self, user)

    def upcoming(self) -> "SlotQuerySet":
        return self.filter(starts_at__gt=timezone.now())

    def with_free_seats(self) -> "SlotQuerySet":
        booked = Count("appointments", filter=Q(appointments__status=AppointmentStatus.BOOKED))
        return self.annotate(booked=booked).filter(booked__lt=F("capacity"))

    def bookable_for(self, applicant: "Applicant", kinds: list[str]) -> "SlotQuerySet":
        """Return the upcoming slots of these kinds at the applicant's branch with a free seat."""
        return (
            self.filter(branch_id=applicant.preferred_branch_id, kind__in=kinds)
            .upcoming()
            .with_free_seats()
            .select_related("branch")
        )


class Slot(models.Model):
    """A time a branch offers for consultations or interviews (상담·면접 일정), with its seats."""

    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="slots")
    kind = models.CharField(_("kind"), max_length=20, choices=SlotKind.choices, default=SlotKind.CONSULTATION)
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=60, validators=[MinValueValidator(10), MaxValueValidator(480)]
    )
    place = models.CharField(_("place"), max_length=200, help_text=_("e.g. 강서CS지점 5층 상담실"))
    capacity = models.PositiveSmallIntegerField(
        _("seats"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("How many applicants can book this time"),
    )

    objects = SlotQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("appointment slot")
        verbose_name_plural = _("appointment slots")
        constraints = [models.CheckConstraint(condition=Q(capacity__gte=1), name="slot_has_a_seat")]
        indexes = [models.Index(fields=["branch", "kind", "starts_at"])]

    def __str__(self) -> str:
        when = formats.date_format(timezone.localtime(self.starts_at), "DATETIME_FORMAT")
        return f"{self.get_kind_display()} · {when} · {self.branch.name}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def location(self) -> str:
        """Return where to go: the branch's street address, then the room (emails and .ics alike)."""
        return f"{self.branch.address}, {self.place}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


class AppointmentQuerySet(models.QuerySet):
    def upcoming(self):
        """Return the bookings still to come; past ones are history, not seats."""
        return self.filter(status=AppointmentStatus.BOOKED, slot__starts_at__gt=timezone.now())


class Appointment(models.Model):
    """An applicant's seat in a slot. Rescheduling moves it to another slot and counts up `sequence`."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="appointments")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    # Copied from the slot so that the database can hold one booking per kind per applicant.
    kind = models.CharField(max_length=20, choices=SlotKind.choices)
    status = models.CharField(max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    # Counts the changes, for calendar apps to replace the earlier invitation (RFC 5545 SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The withdrawal or rejection that cancelled the booking: its email carries the cancellation.
    cancelled_with = models.ForeignKey(
        "ApplicantEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="cancelled_appointments"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["slot__starts_at", "pk"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "kind"],
                condition=Q(status=AppointmentStatus.BOOKED),
                name="one_booked_appointment_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} · {self.slot}"


class NotificationKind(models.TextChoices):
    APPLICATION_RECEIVED = "application_received", _("Application received")
    STATUS_LINK = "status_link", _("Status link resent")
    DUPLICATE_APPLICATION = "duplicate_application", _("Applied again: status link resent")
    EMAIL_CHANGE = "email_change", _("New email address to confirm")
    MOBILE_CHANGED = "mobile_changed", _("Mobile number changed")
    CONSULTED = "consulted", _("Consultation done")
    INTERVIEW = "interview", _("Invitation to interview")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawal confirmed")
    APPOINTMENT_BOOKED = "appointment_booked", _("Appointment confirmed")
    APPOINTMENT_CHANGED = "appointment_changed", _("Appointment changed")
    APPOINTMENT_CANCELLED = "appointment_cancelled", _("Appointment cancelled")
    APPOINTMENT_REMINDER = "appointment_reminder", _("Appointment reminder")


# The notice each stage change sends the applicant (DESIGN §2: results are notified).
STAGE_NOTICES: dict[str, str] = {
    ApplicantStatus.CONSULTED: NotificationKind.CONSULTED,
    ApplicantStatus.INTERVIEW: NotificationKind.INTERVIEW,
    ApplicantStatus.ACCEPTED: NotificationKind.ACCEPTED,
    ApplicantStatus.REJECTED: NotificationKind.REJECTED,
    ApplicantStatus.WITHDRAWN: NotificationKind.WITHDRAWN,
}


# Kinds an applicant receives at most once; a status link can be asked for again.
ONCE_ONLY_KINDS = (NotificationKind.APPLICATION_RECEIVED, NotificationKind.WITHDRAWN)


class Notification(models.Model):
    """An email to an applicant, recorded before it is sent so that a rerun sees it went."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    event = models.ForeignKey(
        ApplicantEvent,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        help_text=_("The change this notice tells the applicant about"),
    )
    appointment = models.ForeignKey(
        "Appointment", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    email_change = models.ForeignKey(
        "EmailChange",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        help_text=_("The new address this confirmation goes to"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "kind"], condition=Q(kind__in=ONCE_ONLY_KINDS), name="once_only_notifications"
            ),
            models.UniqueConstraint(fields=["event", "kind"], name="one_notice_per_event"),
            models.UniqueConstraint(
                fields=["appointment", "kind"],
                condition=Q(kind=NotificationKind.APPOINTMENT_REMINDER),
                name="one_reminder_per_appointment",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class EmailChange(models.Model):
    """A new email address the applicant asked for; it replaces the old one once confirmed from that address."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="email_changes")
    email = models.EmailField(_("new email"), max_length=254)
    token = models.CharField(max_length=64, unique=True, default=new_status_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("email change")
        verbose_name_plural = _("email changes")

    def __str__(self) -> str:
        return f"{self.applicant_id} {self.created_at:%Y-%m-%d %H:%M}"


class ExportReason(models.TextChoices):
    SCHEDULING = "scheduling", _("Arranging consultations or interviews")
    COHORT_PLANNING = "cohort_planning", _("Planning a training cohort")
    REPORTING = "reporting", _("Reporting to management")
    DATA_REQUEST = "data_request", _("An applicant's request or an audit")
    OTHER = "other", _("Other (explained in the note)")


class AccessRecord(models.Model):
    """Who looked at or exported applicant data, when and why (DESIGN §2).

    It holds no personal data of applicants: an id for a detail view, the filters and
    row count for an export (never the search words, which may be a name or a number).
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed an applicant")
        EXPORT = "export", _("Exported a list")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("user")
    )
    username = models.CharField(_("username"), max_length=150, help_text=_("Kept if the login is deleted"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    applicant = models.ForeignKey(
        Applicant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("applicant")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ExportReason.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("access record")
        verbose_name_plural = _("access records")

    def __str__(self) -> str:
        return f"{self.username} {self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}"
