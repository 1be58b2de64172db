"""Applicants: the application itself, its history of events and the staff's notes on it.

The pipeline's rules (statuses and the moves between them) live in recruiting.pipeline.
"""

import secrets

from django.conf import settings
from django.db import connections, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.states import Lifecycle, StateEvent
from core.validators import reject_rrn
from recruiting.errors import ApplicationError
from recruiting.models.places import Branch, District
from recruiting.models.rounds import RecruitmentRound
from recruiting.models.staff import in_staff_branch
from recruiting.phones import format_mobile
from recruiting.pipeline import ENDED_STATUSES, TRANSITIONS, ApplicantStatus


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


def text_grams(text: str) -> list[str]:
    """Return the distinct single characters and pairs of neighbouring characters of `text`, lower-cased.

    A name contains search words only if its grams include theirs (`search_grams`):
    '이서연' gives 서, 연, 이, 서연 and 이서, so a search for '서연' or '서' finds it.
    """
    lowered = text.lower()
    return sorted({*lowered, *(lowered[i : i + 2] for i in range(len(lowered) - 1))})


def search_grams(words: str) -> list[str]:
    """Return the grams a name must hold to contain `words`: its pairs, or the one character it is."""
    lowered = words.lower()
    if len(lowered) < 2:
        return [lowered] if lowered else []
    return sorted({lowered[i : i + 2] for i in range(len(lowered) - 1)})


class ApplicantQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ApplicantQuerySet":
        """Return the applicants `user` may see: every branch for HR, their own branch otherwise."""
        if not user.has_perm("recruiting.view_applicant"):
            return self.none()
        return in_staff_branch(self, user, "preferred_branch_id")

    def name_condition(self, words: str) -> Q:
        """Return the condition for a name that contains `words`, whatever their case.

        On PostgreSQL the grams find the names through their GIN index (migration 0017).
        For one or two characters they are exact; for more, holding the pairs is not
        holding the word ('이서진서연' holds 이서 and 서연, not '이서연'), so `icontains`
        then drops such names. It is left out when not needed: the planner cannot
        estimate `UPPER(name) LIKE '%…%'`, guesses a handful of rows, and joins the
        thousands that 서연 finds as if they were a handful. SQLite has no such index and
        keeps the plain `icontains`.
        """
        if connections[self.db].vendor != "postgresql":
            return Q(name__icontains=words)
        condition = Q(name_grams__contains=search_grams(words))
        if len(words) > 2:
            condition &= Q(name__icontains=words)
        return condition


# What an anonymised record keeps in place of the person's name.
ANONYMISED_NAME = "(파기됨)"


class Applicant(models.Model):
    """A person who applied (지원자): the root record that follows them to the pool.

    There is deliberately no field for sex, age, marital status, family, origin or a
    resident registration number (DESIGN §2). The birth year is kept for the licence
    eligibility check later in the process and is never used to screen.
    """

    round = models.ForeignKey(
        RecruitmentRound, verbose_name=_("recruitment round"), on_delete=models.PROTECT, related_name="applicants"
    )
    name = models.CharField(_("name"), max_length=40, validators=[reject_rrn])
    mobile = models.CharField(
        _("mobile"), max_length=11, help_text=_("Digits only, e.g. 01012345678"), validators=[reject_rrn]
    )
    email = models.EmailField(_("email"), max_length=254, validators=[reject_rrn])
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    district = models.ForeignKey(
        District, verbose_name=_("district of residence"), on_delete=models.PROTECT, related_name="+"
    )
    preferred_branch = models.ForeignKey(
        Branch, verbose_name=_("preferred branch"), on_delete=models.PROTECT, related_name="applicants"
    )
    source = models.CharField(_("how they heard of us"), max_length=20, choices=Source.choices)
    motivation = models.TextField(_("motivation"), blank=True, max_length=1000, validators=[reject_rrn])
    preferred_times = models.JSONField(_("preferred consultation times"), default=list, blank=True)
    # The name's characters and character pairs (`name_grams`), kept by `save()`, so that a
    # search for part of a name can use an index on PostgreSQL (`name_condition`). A
    # trigram index cannot serve a two-syllable Korean search such as '서연'.
    name_grams = models.JSONField(default=list, editable=False)
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
    lifecycle = Lifecycle(
        transitions=TRANSITIONS,
        history="events",
        error=ApplicationError,
        stale_message=_("Someone changed this application a moment ago; it is now %(status)s. Check it and try again."),
        illegal_message=_("An application that is %(status)s cannot become %(new)s."),
    )

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
            # name_grams has a GIN index on PostgreSQL only, made by migration 0017 and not
            # declared here: SQLite has no GIN, and Django rebuilds a SQLite table with every
            # index declared here.
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, **kwargs) -> None:
        # Every write of the name goes through here (the services, the anonymisation),
        # so the grams always follow it; a bulk insert must fill them itself.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "name" in update_fields:
            self.name_grams = text_grams(self.name)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "name_grams"}
        super().save(**kwargs)

    @property
    def mobile_display(self) -> str:
        """Return the mobile number as Koreans write it: 010-1234-5678."""
        return format_mobile(self.mobile)

    @property
    def preferred_times_display(self) -> list[str]:
        """Return the preferred consultation times as their labels."""
        return [PreferredTime(value).label for value in self.preferred_times if value in PreferredTime.values]

    def can_become(self, status: str) -> bool:
        return self.lifecycle.allows(self.status, status)

    @property
    def can_withdraw(self) -> bool:
        return self.can_become(ApplicantStatus.WITHDRAWN)


class ApplicantEvent(StateEvent):
    """One change in an application's life, or an event within a stage (a booking, a contact change).

    The applicant's timeline reads this table, and the funnel counts the stages reached from it.
    """

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="events")
    reason = models.CharField(_("reason"), max_length=20, choices=RejectionReason.choices, blank=True)

    class Meta(StateEvent.Meta):
        verbose_name = _("applicant event")
        verbose_name_plural = _("applicant events")


class ApplicantNote(models.Model):
    """A staff member's note on an applicant (상담 메모); removed by the retention job."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="staff_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("note"), max_length=2000, validators=[reject_rrn])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("staff note")
        verbose_name_plural = _("staff notes")

    def __str__(self) -> str:
        return f"{self.author} {self.created_at:%Y-%m-%d}"
