"""The notice to a customer that she has a new manager: one per customer per applied run that gave
her a new consultant, sent once by text message, or printed as a letter when she has no mobile.

Both are rows of `core.outbox`: a text message is claimed, sent and recorded on its own
row; the letters of a run are printed in batches of at most LETTERS_PER_BATCH, one PDF
each (`CustomerLetterBatch`), claimed, rendered and recorded the same way, and its letters
count as sent when the PDF holding them is saved.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assignments.models.book import Customer
from assignments.models.pool import PoolMember
from assignments.models.runs import AssignmentRun
from core.outbox import OutboxFields
from curriculum.certificates.storage import private_storage

# A batch is one PDF to print and post: a print room's run, and a rendering that stays well
# within the worker's timeout (about 4 ms a page) however many customers lack a mobile.
LETTERS_PER_BATCH = 1000


class NoticeChannel(models.TextChoices):
    TEXT = "sms", _("Text message")
    LETTER = "letter", _("Letter")


class CustomerNotice(OutboxFields):
    """The notice of one applied run to one customer: who her new consultant is, how she is told, and when she was.

    An undo sends nothing and takes nothing back; a customer moved by two runs gets two
    notices. A notice not yet sent when her consultant changes again is not sent at all.
    """

    run = models.ForeignKey(
        AssignmentRun, verbose_name=_("assignment plan"), on_delete=models.CASCADE, related_name="customer_notices"
    )
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="notices")
    consultant = models.ForeignKey(
        PoolMember, verbose_name=_("new consultant"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=NoticeChannel.choices)
    # Written when the run is applied, so the row says what goes out, and every attempt sends the same.
    text = models.TextField(_("text sent"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    letter_batch = models.ForeignKey(
        "CustomerLetterBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="notices"
    )

    class Meta:
        ordering = ["run", "customer"]
        verbose_name = _("customer notice")
        verbose_name_plural = _("customer notices")
        constraints = [
            models.UniqueConstraint(fields=["run", "customer"], name="one_notice_per_customer_per_run"),
            models.CheckConstraint(condition=Q(channel__in=NoticeChannel.values), name="customer_notice_channel_known"),
        ]
        indexes = [
            # What the retry job reads: the unsent notices by when they are due.
            models.Index(
                fields=["send_next_attempt_at"], condition=Q(sent_at__isnull=True), name="customer_notice_unsent"
            ),
            # Applying a run writes the words of each consultant's notices in one statement each.
            models.Index(fields=["run", "consultant"], name="customer_notice_consultant"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.customer_id}"

    @property
    def message_id(self) -> str:
        """Return the id the notice carries on every attempt, so that the channel can drop a repeat.

        The time of its creation is part of it: a database made anew numbers its notices
        from 1 again, and those must not pass for the old ones in a folder of sent messages.
        """
        return f"customer-notice-{self.pk}-{self.created_at:%Y%m%d%H%M%S}"


def letters_pdf_name(instance: object, filename: str) -> str:
    """Return a random name for a run's letters: they hold customers' names and addresses."""
    return f"customer-letters/{secrets.token_hex(16)}.pdf"


class CustomerLetterBatch(OutboxFields):
    """Letters of one applied run to its customers without a mobile: one PDF, a page per customer.

    A run's letters are numbered batches of at most LETTERS_PER_BATCH, in the order of the
    customer numbers; each notice names its batch.
    """

    run = models.ForeignKey(
        AssignmentRun, verbose_name=_("assignment plan"), on_delete=models.CASCADE, related_name="letter_batches"
    )
    number = models.PositiveIntegerField(_("batch"), default=1)
    pdf = models.FileField(upload_to=letters_pdf_name, storage=private_storage, blank=True)
    letters = models.PositiveIntegerField(_("letters"), default=0)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["run", "number"]
        verbose_name = _("customer letters")
        verbose_name_plural = _("customer letters")
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="one_letter_batch_per_number")]

    def __str__(self) -> str:
        return _("%(run)s, letters batch %(number)s") % {"run": self.run, "number": self.number}
