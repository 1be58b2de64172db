"""Notifications: the emails to applicants, recorded before they are sent."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.outbox import OutboxFields
from recruiting.models.applicants import Applicant, ApplicantEvent
from recruiting.pipeline import NotificationKind

# Kinds an applicant receives at most once; a status link can be asked for again.
ONCE_ONLY_KINDS = (NotificationKind.APPLICATION_RECEIVED, NotificationKind.WITHDRAWN)


class Notification(OutboxFields):
    """An email to an applicant, recorded before it is sent, then claimed, sent and retried (`core.outbox`)."""

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
