"""The branch manager's weekly digest: one email a week with her branch's figures of the week before.

A row is one digest to one branch manager for one week; a unique constraint makes it once
per week, however often the weekly job runs. Its email is claimed, sent and retried
through `core.outbox`, and lists only counts and consultants' names, never a customer.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.outbox import OutboxFields
from recruiting.models import Branch


class BranchDigest(OutboxFields):
    """The figures of one branch for one week (Monday to Sunday), emailed to one of its branch managers."""

    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("branch manager"), on_delete=models.CASCADE, related_name="+"
    )
    week_of = models.DateField(
        _("week of"), help_text=_("The Monday of the week the digest covers; it is sent on the Monday after")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Staff who sent it again from the list of unsent emails, and when: the branch has no history of its own.
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent again by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resent_at = models.DateTimeField(_("sent again at"), null=True, blank=True)

    class Meta:
        ordering = ["-week_of", "branch", "pk"]
        verbose_name = _("branch weekly digest")
        verbose_name_plural = _("branch weekly digests")
        constraints = [
            models.UniqueConstraint(fields=["branch", "recipient", "week_of"], name="one_digest_per_manager_week"),
        ]
        indexes = [
            # What the retry job reads: the unsent digests by when they are due.
            models.Index(
                fields=["send_next_attempt_at"], condition=Q(sent_at__isnull=True), name="branch_digest_unsent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.week_of}"
