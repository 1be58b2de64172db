"""Appointments: the slots branches offer for consultations and interviews, and the applicants' bookings in them."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core.states import Lifecycle, StateEvent
from core.validators import reject_rrn
from recruiting.errors import ApplicationError
from recruiting.models.applicants import Applicant
from recruiting.models.places import Branch
from recruiting.models.staff import in_staff_branch
from recruiting.pipeline import SlotKind


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
    place = models.CharField(
        _("place"), max_length=200, help_text=_("e.g. 강서CS지점 5층 상담실"), validators=[reject_rrn]
    )
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
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def location(self) -> str:
        """Return where to go: the branch's street address, then the room (emails and .ics alike)."""
        # A branch installed by `setup` has no address until HR enters it.
        return ", ".join(part for part in (self.branch.address, self.place) if part)


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


# A booking is cancelled once; moving it to another time is an event, not a move.
APPOINTMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    AppointmentStatus.BOOKED: frozenset({AppointmentStatus.CANCELLED}),
    AppointmentStatus.CANCELLED: frozenset(),
}


class AppointmentQuerySet(models.QuerySet):
    def upcoming(self) -> "AppointmentQuerySet":
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
    lifecycle = Lifecycle(transitions=APPOINTMENT_TRANSITIONS, history="events", error=ApplicationError)

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


class AppointmentEvent(StateEvent):
    """One change of a booking: made, moved to another time (an event with a note), or cancelled."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")

    class Meta(StateEvent.Meta):
        verbose_name = _("appointment event")
        verbose_name_plural = _("appointment events")
