"""The book of orphaned customers: the customers and contracts of planners who left, as the
insurer's core system lists them, and each upload of that list.

Only what managing the customer needs is kept (docs/decisions.md, "The customer book"):
who she is and how to reach her, where she lives to the 시군구 (which decides the branch
and the distance to a consultant), and per contract what a consultant must act on.
"""

import calendar
from datetime import date

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assignments.errors import BookError
from assignments.models.pool import PoolMember
from core.states import Lifecycle, StateEvent
from core.validators import reject_rrn
from curriculum.models import mask_name
from recruiting.models import Branch, in_staff_branch
from recruiting.phones import format_mobile


def private_storage():
    """Return the storage no URL serves: uploaded books and their error reports hold customers' data."""
    return storages["private"]


class ProductLine(models.TextChoices):
    AUTO = "auto", _("Car")
    LONG_TERM = "long_term", _("Long-term (health, accident)")
    GENERAL = "general", _("General (fire)")


class BookImportStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("book import status", "Queued")
    READING = "reading", pgettext_lazy("book import status", "Reading")
    DONE = "done", pgettext_lazy("book import status", "Done")
    FAILED = "failed", pgettext_lazy("book import status", "Failed")


BOOK_IMPORT_TRANSITIONS = {
    BookImportStatus.QUEUED: {BookImportStatus.READING, BookImportStatus.FAILED},
    BookImportStatus.READING: {BookImportStatus.DONE, BookImportStatus.FAILED},
    BookImportStatus.DONE: set(),
    BookImportStatus.FAILED: set(),
}


class BookImport(models.Model):
    """One upload of the core system's list of orphaned contracts, read in the worker.

    The list is the whole book as of its date: a customer missing from it has left the book
    (her contracts ended or a regular planner took them over). The same file twice is one
    import (`sha256` is unique), so a double click or a re-upload changes nothing.
    """

    file = models.FileField(_("file"), upload_to="book-imports/", storage=private_storage)
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    status = models.CharField(
        pgettext_lazy("book import", "status"),
        max_length=10,
        choices=BookImportStatus.choices,
        default=BookImportStatus.QUEUED,
    )
    # Progress, written by the worker as it reads; `rows_total` is known once the file is counted.
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_refused = models.PositiveIntegerField(_("rows refused"), default=0)
    error_report = models.FileField(upload_to="book-imports/", storage=private_storage, blank=True)
    failure = models.CharField(_("why it failed"), max_length=300, blank=True)
    # The difference from the book before this import.
    customers = models.PositiveIntegerField(_("customers"), default=0)
    contracts = models.PositiveIntegerField(_("contracts"), default=0)
    customers_new = models.PositiveIntegerField(_("new orphaned customers"), default=0)
    customers_gone = models.PositiveIntegerField(_("customers no longer orphaned"), default=0)
    addresses_changed = models.PositiveIntegerField(_("changed addresses"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    lifecycle = Lifecycle(transitions=BOOK_IMPORT_TRANSITIONS, history="events", error=BookError)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("customer book import")
        verbose_name_plural = _("customer book imports")
        permissions = [("import_customers", "Can import the book of orphaned customers")]
        constraints = [
            models.CheckConstraint(condition=Q(rows_read__lte=F("rows_total")), name="book_import_read_within_total"),
            # Imports apply one after the other: each one's difference is against the book the last one left.
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status__in=["queued", "reading"]),
                name="one_book_import_in_progress",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        if self.status == BookImportStatus.DONE:
            return 100
        return round(100 * self.rows_read / self.rows_total) if self.rows_total else 0


class BookImportEvent(StateEvent):
    """One step of an import: uploaded, picked up by the worker, finished or failed."""

    book_import = models.ForeignKey(BookImport, on_delete=models.CASCADE, related_name="events")

    class Meta(StateEvent.Meta):
        verbose_name = _("customer book import event")
        verbose_name_plural = _("customer book import events")


class BookImportRow(models.Model):
    """One checked row of an import while it is read: the rows are applied to the book together,
    by set-based writes, and deleted when the import ends (they hold customers' data)."""

    book_import = models.ForeignKey(BookImport, on_delete=models.CASCADE, related_name="+")
    line = models.PositiveIntegerField()
    customer_number = models.CharField(max_length=30)
    name = models.CharField(max_length=50)
    mobile = models.CharField(max_length=11, blank=True)
    address = models.CharField(max_length=200)
    sigungu = models.CharField(max_length=5, blank=True)
    contract_number = models.CharField(max_length=30)
    product_line = models.CharField(max_length=10, choices=ProductLine.choices)
    monthly_premium = models.PositiveIntegerField()
    renews_on = models.DateField(null=True, blank=True)
    planner_code = models.CharField(max_length=20)
    planner_left_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["book_import", "customer_number", "line"])]

    def __str__(self) -> str:
        return f"{self.book_import_id}:{self.line}"


class CustomerQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CustomerQuerySet":
        """Return the customers `user` may see: every one for HR, her branch's (where they live or
        whose consultant works there) for a branch manager, none for anyone else."""
        if not user.has_perm("assignments.view_customer"):
            return self.none()
        if user.has_perm("recruiting.view_all_branches"):
            return self
        mine = in_staff_branch(Branch.objects.all(), user, field="pk").values("pk")
        return self.filter(Q(branch__in=mine) | Q(consultant__branch__in=mine))

    def in_book(self) -> "CustomerQuerySet":
        return self.filter(left_book_on__isnull=True)


class Customer(models.Model):
    """A customer of a planner who left, as the core system knows her, and who looks after her now."""

    number = models.CharField(_("customer number"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    mobile = models.CharField(_("mobile"), max_length=11, blank=True, help_text=_("Digits only, e.g. 01012345678"))
    address = models.CharField(_("address"), max_length=200)
    sigungu = models.CharField(
        _("district"),
        max_length=5,
        blank=True,
        help_text=_("Code of the district (KOSTAT); empty when the address names none"),
    )
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The branch that serves where she lives"),
    )
    consultant = models.ForeignKey(
        PoolMember,
        verbose_name=_("consultant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    pinned_to = models.ForeignKey(
        PoolMember,
        verbose_name=_("pinned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A plan never moves her away from this consultant (her wish, a family tie)"),
    )
    # Derived from her contracts at each import, so that planning reads one table.
    main_line = models.CharField(_("main product line"), max_length=10, choices=ProductLine.choices)
    premium = models.PositiveIntegerField(_("monthly premium"), default=0, help_text=_("Of all her contracts, in won"))
    orphaned_on = models.DateField(_("planner left on"), help_text=_("The earliest departure of her planners"))
    first_import = models.ForeignKey(BookImport, on_delete=models.PROTECT, related_name="+")
    last_import = models.ForeignKey(BookImport, on_delete=models.PROTECT, related_name="+")
    left_book_on = models.DateField(_("left the book on"), null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [models.Index(fields=["consultant", "left_book_on"]), models.Index(fields=["branch", "number"])]

    def __str__(self) -> str:
        return self.masked_name

    @property
    def masked_name(self) -> str:
        """Return the name as lists show it before it is opened: 김*진, 남궁*희."""
        return mask_name(self.name)

    @property
    def mobile_display(self) -> str:
        """Return her mobile number as Koreans write it, for her own consultant: 010-1234-5678."""
        return format_mobile(self.mobile)

    @property
    def masked_mobile(self) -> str:
        return f"{self.mobile[:3]}-****-{self.mobile[-4:]}" if len(self.mobile) == 11 else ""

    @property
    def orphan_deadline(self) -> date:
        """Return the month-end by which she must have a new manager, or she counts as an orphan (FSS)."""
        return month_end(self.orphaned_on)


class Contract(models.Model):
    """One contract of an orphaned customer: what a consultant must know to look after it."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contracts")
    number = models.CharField(_("contract number"), max_length=30, unique=True)
    product_line = models.CharField(_("product line"), max_length=10, choices=ProductLine.choices)
    monthly_premium = models.PositiveIntegerField(_("monthly premium"), help_text=_("In won"))
    renews_on = models.DateField(_("next renewal or maturity"), null=True, blank=True)
    planner_code = models.CharField(_("departed planner"), max_length=20)
    planner_left_on = models.DateField(_("planner left on"))

    class Meta:
        ordering = ["customer", "number"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return self.number


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class CustomerAccessReason(models.TextChoices):
    ASSIGNMENT = "assignment", _("Checking an assignment")
    CONTACT = "contact", _("Preparing a contact with the customer")
    CUSTOMER_REQUEST = "customer_request", _("The customer's request or a complaint")
    AUDIT = "audit", _("An audit")
    OTHER = "other", _("Other (explained in the note)")


class CustomerAccessRecord(models.Model):
    """Who opened a customer's unmasked data or exported a list of customers, when and why.

    Like the applicants' access log, it holds no personal data: an id for an opened
    customer, the filters and row count for an export (never the search words).
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Opened a customer")
        EXPORT = "export", _("Exported customers")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("user")
    )
    username = models.CharField(_("username"), max_length=150, help_text=_("Kept if the login is deleted"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("customer")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=CustomerAccessReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True, validators=[reject_rrn])
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("customer access record")
        verbose_name_plural = _("customer access records")

    def __str__(self) -> str:
        return f"{self.username} {self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}"
