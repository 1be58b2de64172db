import secrets
from datetime import date
from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
# any open stage. Accepted people may still withdraw before they enrol.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    ApplicantStatus.SUBMITTED: {
        ApplicantStatus.CONSULTATION_BOOKED,
        ApplicantStatus.REJECTED,
        ApplicantStatus.WITHDRAWN,
    },
    ApplicantStatus.CONSULTATION_BOOKED: {
        ApplicantStatus.CONSULTED,
        ApplicantStatus.REJECTED,
        ApplicantStatus.WITHDRAWN,
    },
    ApplicantStatus.CONSULTED: {ApplicantStatus.INTERVIEW, ApplicantStatus.REJECTED, ApplicantStatus.WITHDRAWN},
    ApplicantStatus.INTERVIEW: {ApplicantStatus.ACCEPTED, ApplicantStatus.REJECTED, ApplicantStatus.WITHDRAWN},
    ApplicantStatus.ACCEPTED: {ApplicantStatus.ENROLLED, ApplicantStatus.WITHDRAWN},
    ApplicantStatus.ENROLLED: set(),
    ApplicantStatus.REJECTED: set(),
    ApplicantStatus.WITHDRAWN: set(),
}


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
    deletion_requested_at = models.DateTimeField(_("deletion requested at"), null=True, blank=True)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "mobile"],
                condition=~Q(status__in=ENDED_STATUSES),
                name="one_live_application_per_mobile_per_round",
            ),
        ]
        indexes = [models.Index(fields=["mobile"]), models.Index(fields=["email"])]

    def __str__(self) -> str:
        return self.name

    @property
    def mobile_display(self) -> str:
        """Return the mobile number as Koreans write it: 010-1234-5678."""
        return format_mobile(self.mobile)

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
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("applicant event")
        verbose_name_plural = _("applicant events")

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class ApplicantConsent(models.Model):
    """What the applicant agreed to (or declined), against the notice version they saw."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="consents")
    notice_version = models.ForeignKey("cms.ConsentNoticeVersion", on_delete=models.PROTECT, related_name="+")
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


class NotificationKind(models.TextChoices):
    APPLICATION_RECEIVED = "application_received", _("Application received")
    STATUS_LINK = "status_link", _("Status link resent")
    WITHDRAWN = "withdrawn", _("Withdrawal confirmed")


# Kinds an applicant receives at most once; a status link can be asked for again.
ONCE_ONLY_KINDS = (NotificationKind.APPLICATION_RECEIVED, NotificationKind.WITHDRAWN)


class Notification(models.Model):
    """An email to an applicant, recorded before it is sent so that a rerun sees it went."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
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
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class RateLimitCounter(models.Model):
    """Requests counted per key and fixed time window; see recruiting.ratelimit."""

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="one_counter_per_key_window")]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.window_start:%Y-%m-%d %H:%M} ×{self.count}"
