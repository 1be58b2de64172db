"""Assignment runs: a plan of who takes which customer, previewed, approved, applied and undone,
with each customer's before and after and the reason she went where she went."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from assignments.errors import RunError
from assignments.models.book import Customer
from assignments.models.pool import PoolMember
from core.states import Lifecycle, StateEvent
from recruiting.models import Branch, in_staff_branch


@register_setting(icon="cogs")
class AssignmentSettings(BaseGenericSetting):
    """What HR tunes in the assignment engine: the ramp-up of new consultants and the weights of a plan."""

    ramp_month_1 = models.PositiveSmallIntegerField(
        _("capacity in the first month in the pool (%)"),
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=_("Month 4 of the programme: the share of her capacity a new consultant receives"),
    )
    ramp_month_2 = models.PositiveSmallIntegerField(
        _("capacity in the second month (%)"), default=75, validators=[MaxValueValidator(100)]
    )
    ramp_month_3 = models.PositiveSmallIntegerField(
        _("capacity from the third month (%)"), default=100, validators=[MaxValueValidator(100)]
    )
    max_distance_km = models.PositiveSmallIntegerField(
        _("farthest distance (km)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text=_("No customer is given to a consultant who lives farther from her district than this"),
    )
    branch_crossing_penalty_km = models.PositiveSmallIntegerField(
        _("cost of crossing branches (km)"),
        default=10,
        validators=[MaxValueValidator(200)],
        help_text=_("A consultant of another branch counts as this much farther away"),
    )
    keep_bonus_km = models.PositiveSmallIntegerField(
        _("weight of keeping a customer's consultant (km)"),
        default=60,
        validators=[MaxValueValidator(200)],
        help_text=_("A new plan moves a customer away from her consultant only to gain more than this"),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("ramp_month_1"), FieldPanel("ramp_month_2"), FieldPanel("ramp_month_3")],
            heading=_("Ramp-up of new consultants"),
        ),
        MultiFieldPanel(
            [FieldPanel("max_distance_km"), FieldPanel("branch_crossing_penalty_km"), FieldPanel("keep_bonus_km")],
            heading=_("Weights of a plan"),
        ),
    ]

    class Meta:
        verbose_name = _("assignment settings")

    def ramp_percent(self, months_in_pool: int) -> int:
        """Return the share of her capacity a consultant receives in her `months_in_pool`-th month (from 1)."""
        if months_in_pool <= 1:
            return self.ramp_month_1
        if months_in_pool == 2:
            return self.ramp_month_2
        return self.ramp_month_3


class RunStatus(models.TextChoices):
    PLANNING = "planning", pgettext_lazy("assignment run status", "Planning")
    PLANNED = "planned", pgettext_lazy("assignment run status", "Ready to review")
    APPROVED = "approved", pgettext_lazy("assignment run status", "Approved")
    APPLIED = "applied", pgettext_lazy("assignment run status", "Applied")
    UNDONE = "undone", pgettext_lazy("assignment run status", "Undone")
    DISCARDED = "discarded", pgettext_lazy("assignment run status", "Discarded")
    FAILED = "failed", pgettext_lazy("assignment run status", "Failed")


RUN_TRANSITIONS = {
    RunStatus.PLANNING: {RunStatus.PLANNED, RunStatus.FAILED},
    RunStatus.PLANNED: {RunStatus.APPROVED, RunStatus.DISCARDED},
    RunStatus.APPROVED: {RunStatus.APPLIED, RunStatus.DISCARDED},
    RunStatus.APPLIED: {RunStatus.UNDONE},
    RunStatus.UNDONE: set(),
    RunStatus.DISCARDED: set(),
    RunStatus.FAILED: set(),
}


class RunTrigger(models.TextChoices):
    STAFF = "staff", _("Asked for by staff")
    CONSULTANT_AWAY = "consultant_away", _("A consultant left or went on leave")


class AssignmentRunQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AssignmentRunQuerySet":
        """Return the runs `user` may see: all for HR, her branch's for a branch manager, none for others."""
        if not user.has_perm("assignments.view_assignmentrun"):
            return self.none()
        if user.has_perm("recruiting.view_all_branches"):
            return self
        return in_staff_branch(self, user)


class AssignmentRun(models.Model):
    """One plan of who takes which customer, over a branch or the whole book, and what became of it."""

    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for a plan over every branch"),
    )
    status = models.CharField(
        pgettext_lazy("assignment run", "status"),
        max_length=10,
        choices=RunStatus.choices,
        default=RunStatus.PLANNING,
    )
    trigger = models.CharField(_("why"), max_length=20, choices=RunTrigger.choices, default=RunTrigger.STAFF)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    parameters = models.JSONField(_("parameters"), default=dict)
    # The hash of everything the engine read (customers, consultants, parameters), so two
    # plans can be told to be of the same input, and the same input gives the same plan.
    input_hash = models.CharField(max_length=64, blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    failure = models.CharField(_("why it failed"), max_length=300, blank=True)
    apply_requested_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AssignmentRunQuerySet.as_manager()
    lifecycle = Lifecycle(
        transitions=RUN_TRANSITIONS,
        history="events",
        error=RunError,
        illegal_message=_("This plan is %(status)s and cannot become %(new)s."),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("assignment run")
        verbose_name_plural = _("assignment runs")
        permissions = [
            ("plan_assignmentrun", "Can plan assignment runs"),
            ("approve_assignmentrun", "Can approve, apply and undo assignment runs"),
        ]

    def __str__(self) -> str:
        return _("Assignment plan %(number)s") % {"number": self.pk}


class AssignmentRunEvent(StateEvent):
    """One step of a run: planned, approved, applied, undone or discarded, with who and when."""

    run = models.ForeignKey(AssignmentRun, on_delete=models.CASCADE, related_name="events")

    class Meta(StateEvent.Meta):
        verbose_name = _("assignment run event")
        verbose_name_plural = _("assignment run events")


class PlacementReason(models.TextChoices):
    """Why a customer went where she went in a plan (the engine's reason codes)."""

    PINNED = "pinned", _("Pinned to her consultant")
    KEPT = "kept", _("Stays with her consultant")
    ASSIGNED = "assigned", _("Assigned")
    PIN_UNAVAILABLE = "pin_unavailable", _("Assigned; her pinned consultant cannot take customers")
    REGION_UNKNOWN = "region_unknown", _("Unassigned: her address names no district we know")
    NO_CONSULTANT_IN_REACH = "no_consultant_in_reach", _("Unassigned: no consultant lives near enough")
    NO_CAPACITY = "no_capacity", _("Unassigned: the consultants near her are full")
    OFFERED_BACK = "offered_back", _("Moved: her consultant had not reached her by the first-contact deadline")


class Assignment(models.Model):
    """One customer in one run: her consultant before and after, and why."""

    run = models.ForeignKey(AssignmentRun, on_delete=models.CASCADE, related_name="assignments")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="assignments")
    from_consultant = models.ForeignKey(
        PoolMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("before")
    )
    to_consultant = models.ForeignKey(
        PoolMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("after")
    )
    placement = models.CharField(_("why"), max_length=30, choices=PlacementReason.choices)
    distance_km = models.FloatField(null=True, blank=True)
    same_district = models.BooleanField(default=False)
    same_branch = models.BooleanField(default=False)
    # Her consultant's load in this plan, for the explanation ("담당 고객 41/60명").
    load = models.PositiveIntegerField(default=0)
    capacity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["run", "customer"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["run", "customer"], name="one_assignment_per_customer_per_run")]
        indexes = [models.Index(fields=["run", "to_consultant"]), models.Index(fields=["customer", "run"])]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.customer_id}"

    @property
    def moves(self) -> bool:
        return self.from_consultant_id != self.to_consultant_id

    def explanation(self) -> str:
        """Return why she went where she went, as one line of the preview.

        "같은 시군구 · 지점 내 · 담당 고객 41/60명", "4 km · 다른 지점 · 담당 고객 12/30명",
        "고정 담당", "기존 담당 유지", or the reason she stays unassigned.
        """
        if self.placement in (PlacementReason.PINNED, PlacementReason.KEPT) or self.to_consultant_id is None:
            return str(PlacementReason(self.placement).label)
        parts = []
        if self.placement == PlacementReason.PIN_UNAVAILABLE:
            parts.append(gettext("Her pinned consultant cannot take customers"))
        if self.same_district:
            parts.append(gettext("Same district"))
        elif self.distance_km is not None:
            parts.append(gettext("%(km)s km") % {"km": max(1, round(self.distance_km))})
        parts.append(gettext("Same branch") if self.same_branch else gettext("Another branch"))
        parts.append(gettext("Her customers %(load)s/%(capacity)s") % {"load": self.load, "capacity": self.capacity})
        return " · ".join(parts)
