"""A consultant's contacts with her customers: each call, visit or message, what came of it, and what she promised.

A contact is an event on the customer's timeline, written once by `contact_record` and
never changed: the consultant's day, her list of what is due and the branch's figures all
read these rows.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assignments.models.book import Customer
from assignments.models.pool import PoolMember
from core.validators import reject_rrn


class ContactKind(models.TextChoices):
    CALL = "call", pgettext_lazy("contact kind", "Call")
    VISIT = "visit", pgettext_lazy("contact kind", "Visit")
    MESSAGE = "message", pgettext_lazy("contact kind", "Message")


class ContactOutcome(models.TextChoices):
    COVERAGE_CHECKED = "coverage_checked", _("Coverage check-up done")
    RENEWAL_KEPT = "renewal_kept", _("Renewal kept")
    CLAIM_HELPED = "claim_helped", _("Helped with a claim")
    COMPLAINT = "complaint", _("Complaint")
    ANOTHER_CONSULTANT = "another_consultant", _("Asked for another consultant")


class Contact(models.Model):
    """One call, visit or message of a consultant to a customer, whether it reached her, and what follows."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    consultant = models.ForeignKey(
        PoolMember, verbose_name=_("consultant"), on_delete=models.PROTECT, related_name="contacts"
    )
    kind = models.CharField(_("kind of contact"), max_length=10, choices=ContactKind.choices)
    reached = models.BooleanField(_("reached her"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=ContactOutcome.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True, validators=[reject_rrn])
    next_step = models.CharField(_("next step"), max_length=100, blank=True, validators=[reject_rrn])
    next_step_on = models.DateField(_("next step on"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        permissions = [("use_workspace", "Can use the consultant's workspace: her own customers and contacts")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ContactKind.values), name="contact_kind_known"),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=ContactOutcome.values, reached=True),
                name="contact_outcome_only_when_reached",
            ),
            models.CheckConstraint(
                condition=Q(next_step="") | Q(next_step_on__isnull=False), name="contact_next_step_has_a_date"
            ),
        ]
        indexes = [
            models.Index(fields=["consultant", "created_at"]),
            models.Index(fields=["customer", "consultant", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"
