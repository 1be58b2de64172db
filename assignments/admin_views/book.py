"""The customer book's screens: HR's imports of the book (upload, progress, error report) and the
customers, masked until someone gives a reason to see them (DESIGN §2: access is logged).

Imports are HR's alone (`assignments.import_customers`). Customers are read through
`Customer.objects.visible_to(user)`: HR sees every one, a branch manager her branch's. A
customer outside that answers 404; a role without `assignments.view_customer` gets 403,
checked before the lookup.
"""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import content_disposition_header, urlencode
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.search import SearchForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy

from assignments.book_import import COLUMNS, REQUIRED
from assignments.errors import BookError
from assignments.geography import SIGUNGU
from assignments.models import (
    BookImport,
    BookImportStatus,
    Customer,
    CustomerAccessReason,
    CustomerAccessRecord,
    CustomerNotice,
    NoticeChannel,
    ProductLine,
)
from assignments.services.book import (
    IN_PROGRESS,
    book_import_start,
    customer_access_reason_check,
    customer_access_record_write,
)
from core.validators import reject_rrn
from core.viewsets import ReadOnlyModelViewSet
from recruiting.models import Branch
from recruiting.phones import format_mobile

IMPORT_PERMISSION = "assignments.import_customers"
VIEW_PERMISSION = "assignments.view_customer"
# HR sends failed notices again, from the list of unsent emails and messages (cms.unsent_emails).
RESEND_PERMISSION = "recruiting.view_all_branches"

# What each column of the book holds, for the upload page; the headings come from COLUMNS.
COLUMN_HELP = {
    "customer_number": gettext_lazy(
        "The core system's customer number. A customer with several contracts has a row for each."
    ),
    "name": gettext_lazy("The customer's name. Lists show it masked (김*연)."),
    "mobile": gettext_lazy("010-1234-5678 or 01012345678."),
    "address": gettext_lazy("Her address: the district in it decides the branch that serves her."),
    "sigungu_code": gettext_lazy(
        "The district code (KOSTAT, or a MOIS legal or administrative dong code), when the address is not enough."
    ),
    "contract_number": gettext_lazy("One row per contract; a contract listed twice with different values is refused."),
    "product_line": gettext_lazy("Car, long-term (health, accident) or general (fire)."),
    "monthly_premium": gettext_lazy("In won: 45000 or 45,000원."),
    "renews_on": gettext_lazy("The next renewal or maturity: 2027-03-01, 2027.03.01 or 20270301."),
    "planner_code": gettext_lazy("The code of the planner who left."),
    "planner_left_on": gettext_lazy(
        "The day the planner left. The end of that month is the deadline to give the customer a new manager."
    ),
}


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def won(amount: int) -> str:
    """Return an amount of money as Koreans write it: 127,000원."""
    return _("%(amount)s won") % {"amount": f"{amount:,}"}


def deadline_display(customer: Customer) -> str:
    """Return her orphan deadline the Korean way, flagged when it has passed and nobody looks after her yet."""
    deadline = date_format(customer.orphan_deadline, "DATE_FORMAT")
    unassigned = customer.consultant_id is None and customer.left_book_on is None
    if unassigned and customer.orphan_deadline < timezone.localdate():
        return format_html(
            '<span class="book-overdue">{}<span class="book-overdue__flag">{}</span></span>', deadline, _("overdue")
        )
    return deadline


def sigungu_label(code: str) -> str:
    """Return the district as people name it ("서울 강서구"), or a dash when the address named none."""
    unit = SIGUNGU.get(code)
    return unit.label if unit else "—"


# The imports -------------------------------------------------------------------------------


class BookImportPermissionPolicy(ModelPermissionPolicy):
    """Every screen of the imports asks the one permission to import the book, which only HR holds."""

    def user_has_permission(self, user, action):
        return user.has_perm(IMPORT_PERMISSION)


def _imports_for(user) -> QuerySet:
    if not user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    return BookImport.objects.select_related("uploaded_by")


def _get_import_for_user(request: HttpRequest, pk: int) -> BookImport:
    """Return the import if `request.user` may import the book (403 before the lookup otherwise); 404 if none."""
    return get_object_or_404(_imports_for(request.user), pk=pk)


class BookUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("The book (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={
            "required": gettext_lazy("Choose the file of the book to upload; nothing was imported."),
            "empty": gettext_lazy("The file is empty; nothing was imported."),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_MB * 1024 * 1024:
            raise ValidationError(
                _("The file is larger than %(mb)s MB; nothing was imported.") % {"mb": settings.UPLOAD_MAX_MB}
            )
        return upload


def _progress(book_import: BookImport) -> dict:
    """Return what the progress bar shows, for the page and for its poll."""
    done = book_import.status == BookImportStatus.DONE
    if book_import.status == BookImportStatus.QUEUED:
        text = _("Waiting for the worker to start reading…")
    elif book_import.status == BookImportStatus.FAILED:
        text = _("Stopped; the reason is below.")
    elif not book_import.rows_total:
        text = _("Counting the rows…")
    else:
        text = _("%(read)s of %(total)s rows read (%(percent)s%%)") % {
            "read": f"{book_import.rows_read:,}",
            "total": f"{book_import.rows_total:,}",
            "percent": book_import.percent,
        }
    return {
        "status": book_import.status,
        "status_label": book_import.get_status_display(),
        "rows_total": book_import.rows_total,
        "rows_read": book_import.rows_total if done else book_import.rows_read,
        "rows_refused": book_import.rows_refused,
        "percent": book_import.percent,
        "text": text,
        "finished": book_import.status not in IN_PROGRESS,
    }


class BookImportIndexView(IndexView):
    template_name = "assignments/book/import_index.html"
    page_title = gettext_lazy("Import the customer book")

    def get_base_queryset(self):
        return _imports_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            upload_form=BookUploadForm(),
            columns=[
                {
                    "heading": headings[0],
                    "also": [heading for heading in headings[1:] if not heading.isascii()],
                    "english": next((heading for heading in headings if heading.isascii()), ""),
                    "required": column in REQUIRED,
                    "help": COLUMN_HELP.get(column, ""),
                }
                for column, headings in COLUMNS.items()
            ],
            upload_max_mb=settings.UPLOAD_MAX_MB,
            in_progress=BookImport.objects.filter(status__in=IN_PROGRESS).first(),
        )
        return context


class BookImportView(InspectView):
    """An import's page: its progress while the worker reads it, then its figures and refused rows."""

    template_name = "assignments/book/import.html"
    page_title = gettext_lazy("Customer book import")

    def get_object(self, queryset=None):
        # A role that may not import is refused before the lookup (403, not 404).
        return _get_import_for_user(self.request, self.pk)

    def get_fields(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        book_import = self.object
        figures = (
            "rows_total",
            "rows_refused",
            "customers",
            "contracts",
            "customers_new",
            "customers_gone",
            "addresses_changed",
        )
        context.update(
            book_import=book_import,
            figures=[
                (BookImport._meta.get_field(name).verbose_name, f"{getattr(book_import, name):,}") for name in figures
            ],
            progress=_progress(book_import),
            uploaded_by=_person(book_import.uploaded_by) if book_import.uploaded_by else "—",
        )
        return context


@require_POST
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def book_import_upload(request: HttpRequest) -> HttpResponse:
    """Store the uploaded book and queue its reading, then show the import (or say why nothing was imported)."""
    form = BookUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["file"]))
        return redirect("book_imports:index")
    try:
        book_import, created = book_import_start(upload=form.cleaned_data["file"], actor=request.user)
    except BookError as error:
        messages.error(request, str(error))
        return redirect("book_imports:index")
    if created:
        messages.success(request, _("The book was uploaded; the worker is reading it now."))
    else:
        messages.warning(
            request,
            _("This file has already been imported (%(when)s); here is that import. Nothing was read again.")
            % {"when": date_format(localtime(book_import.created_at), "DATETIME_FORMAT")},
        )
    return redirect("book_imports:inspect", pk=book_import.pk)


@require_GET
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def book_import_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """Answer the import page's poll: how far the worker has read, and whether it has finished."""
    response = JsonResponse(_progress(_get_import_for_user(request, pk)))
    patch_cache_control(response, no_store=True)
    return response


@require_GET
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def book_import_error_report(request: HttpRequest, pk: int) -> FileResponse:
    """Send the refused rows of an import (row, column, reason: never the values) as a CSV Excel opens."""
    book_import = _get_import_for_user(request, pk)
    if not book_import.error_report:
        raise Http404
    filename = _("%(name)s - refused rows.csv") % {"name": Path(book_import.file_name).stem}
    response = FileResponse(
        book_import.error_report.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="text/csv; charset=utf-8",
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def _count_column(name: str, label: str) -> Column:
    """Return a column of an import's count, written with thousands separators (24,950)."""
    return Column(name, label=label, accessor=lambda book_import: f"{getattr(book_import, name):,}")


class BookImportViewSet(ReadOnlyModelViewSet):
    model = BookImport
    icon = "upload"
    menu_label = gettext_lazy("Import the customer book")
    url_prefix = "book-imports"
    index_view_class = BookImportIndexView
    inspect_view_class = BookImportView
    list_per_page = 20
    list_display = [
        TitleColumn(
            "file_name",
            label=gettext_lazy("file name"),
            get_url=lambda i: reverse("book_imports:inspect", args=[i.pk]),
        ),
        Column(
            "created_at",
            label=gettext_lazy("uploaded at"),
            accessor=lambda i: date_format(localtime(i.created_at), "SHORT_DATETIME_FORMAT"),
            sort_key="created_at",
        ),
        Column(
            "uploaded_by",
            label=gettext_lazy("uploaded by"),
            accessor=lambda i: _person(i.uploaded_by) if i.uploaded_by else "—",
        ),
        Column("status", label=pgettext_lazy("book import", "status"), accessor="get_status_display"),
        _count_column("rows_total", gettext_lazy("rows")),
        _count_column("rows_refused", gettext_lazy("rows refused")),
        _count_column("customers_new", gettext_lazy("new orphaned customers")),
        _count_column("customers_gone", gettext_lazy("customers no longer orphaned")),
        _count_column("addresses_changed", gettext_lazy("changed addresses")),
    ]

    @property
    def permission_policy(self):
        return BookImportPermissionPolicy(self.model)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("upload/", book_import_upload, name="upload"),
            path("<int:pk>/progress/", book_import_progress, name="progress"),
            path("<int:pk>/refused-rows/", book_import_error_report, name="error_report"),
        ]


# The customers -----------------------------------------------------------------------------


def _customers_for(user) -> QuerySet:
    if not user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    return Customer.objects.visible_to(user).select_related(
        "branch", "consultant__enrollment__applicant", "consultant__branch"
    )


def _get_customer_for_user(request: HttpRequest, pk: int) -> Customer:
    """Return the customer if `request.user` may see her; 404 otherwise, as if she did not exist."""
    return get_object_or_404(_customers_for(request.user).select_related("pinned_to__enrollment__applicant"), pk=pk)


def customer_search(customers: QuerySet, words: str) -> QuerySet:
    """Find customers by the start of their customer number, or by the last four digits of their mobile.

    Never by name: the search words travel in the URL, and so into the browser's history,
    the proxy's and the server's access logs and the Referer of the next request, out of
    reach of the access log and of any deletion. A customer number or four digits name
    nobody without the book itself; a name does.
    """
    words = words.strip()
    condition = Q(number__istartswith=words)
    digits = re.sub(r"[\s-]", "", words)
    if len(digits) == 4 and digits.isdigit():
        condition |= Q(mobile__endswith=digits)
    return customers.filter(condition)


class CustomerFilterSet(WagtailFilterSet):
    branch = django_filters.ModelChoiceFilter(
        label=gettext_lazy("branch"),
        queryset=Branch.objects.all(),
        null_label=gettext_lazy("No branch (district unknown)"),
    )
    main_line = django_filters.ChoiceFilter(label=gettext_lazy("main product line"), choices=ProductLine.choices)
    assigned = django_filters.ChoiceFilter(
        label=gettext_lazy("assigned or not"),
        choices=[("yes", gettext_lazy("Assigned")), ("no", gettext_lazy("Not assigned"))],
        method="filter_assigned",
    )
    book = django_filters.ChoiceFilter(
        label=gettext_lazy("in the book"),
        choices=[("left", gettext_lazy("Left the book")), ("all", gettext_lazy("All, with those who left"))],
        empty_label=gettext_lazy("In the book now"),
        method="filter_book",
    )

    class Meta:
        model = Customer
        fields = ["branch", "main_line", "assigned", "book"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A branch manager sees her branch's customers only; a choice of branch would offer nothing.
        if not (self.request and self.request.user.has_perm("recruiting.view_all_branches")):
            del self.filters["branch"]

    def filter_assigned(self, queryset, name, value):
        return queryset.filter(consultant__isnull=value == "no")

    def filter_book(self, queryset, name, value):
        return queryset.exclude(left_book_on=None) if value == "left" else queryset

    def filter_queryset(self, queryset):
        # Unless asked otherwise, the list is the book as it stands: customers who left it are history.
        if not self.form.cleaned_data.get("book"):
            queryset = queryset.in_book()
        return super().filter_queryset(queryset)


def customers_listed(request: HttpRequest, data) -> tuple[QuerySet, CustomerFilterSet]:
    """Return every customer the list shows for the filters and search words in `data` (all pages), and the filters."""
    filters = CustomerFilterSet(data, queryset=Customer.objects.none(), request=request)
    customers = _customers_for(request.user)
    customers = filters.filter_queryset(customers) if filters.is_valid() else customers.in_book()
    if words := data.get("q", "").strip():
        customers = customer_search(customers, words)
    return customers, filters


class CustomerIndexView(IndexView):
    template_name = "assignments/book/customer_index.html"
    table_classname = "listing book-customers"
    is_searchable = True
    # The most urgent first: the month-end after her planner left is the deadline to give her a new manager.
    default_ordering = "orphaned_on"

    def get_base_queryset(self):
        return _customers_for(self.request.user)

    def filter_queryset(self, queryset):
        if self.filters.is_valid():
            return self.filters.filter_queryset(queryset)
        return queryset.in_book()

    def search_queryset(self, queryset):
        return customer_search(queryset, self.search_query) if self.is_searching else queryset

    def order_queryset(self, queryset):
        # The customer number settles ties, so a page never shows a customer twice or skips one.
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "number")

    def get_search_form(self):
        placeholder = _("Customer number or the last 4 digits of the mobile")
        if self.search_kwarg in self.request.GET:
            return SearchForm(self.request.GET, placeholder=placeholder)
        return SearchForm(placeholder=placeholder)

    @cached_property
    def header_buttons(self):
        query = {key: value for key, value in self.request.GET.items() if key not in ("p", "_w_filter_fragment")}
        url = reverse("customers:export") + (f"?{urlencode(query)}" if query else "")
        # In sight, and leading to the reason page, never straight to a file.
        return [*super().header_buttons, HeaderButton(_("Export"), url=url, icon_name="download")]


class CustomerAccessForm(forms.Form):
    """Why someone opens a customer's personal data; the answer goes into the access record."""

    # Starts empty: the reason is the staff member's answer, never a default.
    reason = forms.ChoiceField(
        label=gettext_lazy("Why do you need her personal data?"),
        choices=[("", gettext_lazy("Choose…")), *CustomerAccessReason.choices],
        error_messages={"required": gettext_lazy("Choose why you need the personal data; nothing was shown.")},
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=200,
        required=False,
        validators=[reject_rrn],
        help_text=gettext_lazy("Required for “Other”. Never a resident registration number."),
    )

    def clean(self):
        cleaned = super().clean()
        if "note" in self.errors:
            return cleaned
        try:
            customer_access_reason_check(reason=cleaned.get("reason", ""), note=cleaned.get("note", ""))
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class CustomerExportForm(CustomerAccessForm):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why are you exporting this list?"),
        choices=[("", gettext_lazy("Choose…")), *CustomerAccessReason.choices],
        error_messages={"required": gettext_lazy("Choose why you are exporting this list.")},
    )


class NoticeState:
    """How a notice to the customer stands, as her page says it (the run's page counts the same states)."""

    SENT = "sent"
    FAILED = "failed"
    WAITING = "waiting"
    # Not sent and never will be: her consultant changed again before it went.
    DROPPED = "dropped"


@dataclass(frozen=True)
class NoticeRow:
    """One notice of a new manager to the customer, with how it stands and, when it failed, why."""

    notice: CustomerNotice
    state: str
    error: str = ""
    # A failed one is tried again by itself until it has used up its attempts.
    retrying: bool = False


def _notice_row(notice: CustomerNotice) -> NoticeRow:
    if notice.sent_at:
        return NoticeRow(notice, NoticeState.SENT)
    if notice.channel == NoticeChannel.LETTER:
        # A letter goes with its batch: printed when the batch's PDF holding it is saved.
        batch = notice.letter_batch
        if batch is None:
            return NoticeRow(notice, NoticeState.WAITING)
        if batch.rendered_at:
            return NoticeRow(notice, NoticeState.DROPPED)
        if batch.send_failed:
            return NoticeRow(notice, NoticeState.FAILED, batch.send_error, batch.send_retrying)
        return NoticeRow(notice, NoticeState.WAITING)
    if notice.send_failed:
        return NoticeRow(notice, NoticeState.FAILED, notice.send_error, notice.send_retrying)
    if notice.send_next_attempt_at is None:
        return NoticeRow(notice, NoticeState.DROPPED)
    return NoticeRow(notice, NoticeState.WAITING)


def customer_notice_rows(customer: Customer) -> list[NoticeRow]:
    """Return her notices of a new manager, newest first, each with how it stands: one query, however many."""
    notices = customer.notices.select_related("run", "letter_batch", "consultant__enrollment__applicant").order_by(
        "-created_at", "-pk"
    )
    return [_notice_row(notice) for notice in notices]


class CustomerView(InspectView):
    """A customer's page: masked, with her contracts, who looks after her and the notices that told her so;
    her personal data on a reason."""

    template_name = "assignments/book/customer.html"
    page_title = gettext_lazy("Customer")

    def get_object(self, queryset=None):
        # A role without the permission is refused before the lookup (403, not 404).
        return _get_customer_for_user(self.request, self.pk)

    def get_fields(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = self.object
        context.setdefault("access_form", CustomerAccessForm())
        context.update(
            customer=customer,
            district=sigungu_label(customer.sigungu),
            premium=won(customer.premium),
            deadline=deadline_display(customer),
            contracts=[
                {"contract": contract, "premium": won(contract.monthly_premium)}
                for contract in customer.contracts.all()
            ],
            notices=customer_notice_rows(customer),
            can_resend=self.request.user.has_perm(RESEND_PERMISSION),
        )
        return context


class CustomerOpenView(CustomerView):
    """Show a customer's unmasked name, mobile and address once a reason is given, and record it.

    The data is in the answer to the POST only: the page's address shows nothing, and a
    reload asks again before sending the reason (and recording) a second time.
    """

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = CustomerAccessForm(request.POST)
        opened = None
        if form.is_valid():
            try:
                customer_access_record_write(
                    user=request.user,
                    action=CustomerAccessRecord.Action.VIEW,
                    customer=self.object,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                customer = self.object
                opened = {"name": customer.name, "mobile": format_mobile(customer.mobile), "address": customer.address}
                form = CustomerAccessForm()
        response = self.render_to_response(self.get_context_data(access_form=form, opened=opened))
        # Personal data: never kept by the browser or a proxy.
        patch_cache_control(response, private=True, no_store=True)
        return response


def _carried_parameters(request: HttpRequest) -> list[tuple[str, str]]:
    """Return the list's filters and search words, which the reason form sends back with the reason."""
    skipped = {"reason", "note", "csrfmiddlewaretoken", "p", "_w_filter_fragment"}
    source = request.POST if request.method == "POST" else request.GET
    return [(key, value) for key, values in source.lists() if key not in skipped for value in values]


def _recorded_filters(filters: CustomerFilterSet, words: str) -> dict[str, str]:
    """Return the filters an export applied; of the search words, which may be a mobile's last digits, only that
    there were some."""
    recorded = {name: str(filters.data[name]) for name in filters.filters if filters.data.get(name)}
    if words.strip():
        recorded["q"] = "…"
    return recorded


EXPORT_COLUMNS = [
    gettext_lazy("customer number"),
    gettext_lazy("name"),
    gettext_lazy("mobile"),
    gettext_lazy("address"),
    gettext_lazy("district"),
    gettext_lazy("branch"),
    gettext_lazy("main product line"),
    gettext_lazy("monthly premium (won)"),
    gettext_lazy("contract count"),
    gettext_lazy("consultant"),
    gettext_lazy("planner left on"),
    gettext_lazy("orphan deadline"),
    gettext_lazy("left the book on"),
]


def _spreadsheet_safe(value: object) -> object:
    """Keep a spreadsheet from running text that starts like a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(customers: QuerySet) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # Excel reads a UTF-8 file as Korean only when it starts with a byte-order mark.
    yield "\ufeff" + writer.writerow([str(column) for column in EXPORT_COLUMNS])
    for customer in customers.order_by("number").iterator(chunk_size=2000):
        row = [
            customer.number,
            customer.name,
            format_mobile(customer.mobile),
            customer.address,
            sigungu_label(customer.sigungu),
            customer.branch.name if customer.branch else "",
            customer.get_main_line_display(),
            customer.premium,
            customer.contract_count,
            str(customer.consultant) if customer.consultant else _("Not assigned"),
            date_format(customer.orphaned_on, "DATE_FORMAT"),
            date_format(customer.orphan_deadline, "DATE_FORMAT"),
            date_format(customer.left_book_on, "DATE_FORMAT") if customer.left_book_on else "",
        ]
        yield writer.writerow([_spreadsheet_safe(value) for value in row])


@require_http_methods(["GET", "POST"])
@permission_required(VIEW_PERMISSION, raise_exception=True)
def customer_export(request: HttpRequest) -> HttpResponse:
    """Ask why the list is exported (GET), then record it and send the listed customers, unmasked, as CSV (POST)."""
    carried = _carried_parameters(request)
    data = dict(carried)
    customers, filters = customers_listed(request, data)
    form = CustomerExportForm(request.POST if request.method == "POST" else None)
    if not filters.is_valid():
        # The list showed these filters as wrong; exporting without them would send more than was asked.
        form.add_error(None, _("The list's filters are not valid; go back to the list and choose them again."))
    elif form.is_valid():
        count = customers.count()
        try:
            customer_access_record_write(
                user=request.user,
                action=CustomerAccessRecord.Action.EXPORT,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                filters=_recorded_filters(filters, data.get("q", "")),
                row_count=count,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            filename = _("customers-%(date)s.csv") % {"date": timezone.localdate().isoformat()}
            lines = _csv_lines(customers.annotate(contract_count=Count("contracts")))
            response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = content_disposition_header(True, filename)
            patch_cache_control(response, private=True, no_store=True)
            return response
    return TemplateResponse(
        request,
        "assignments/book/export_reason.html",
        {
            "page_title": _("Export customers"),
            "header_icon": "download",
            "form": form,
            "carried": carried,
            "row_count": customers.count(),
            "index_url": reverse("customers:index") + (f"?{urlencode(carried)}" if carried else ""),
        },
    )


class CustomerViewSet(ReadOnlyModelViewSet):
    model = Customer
    icon = "user"
    menu_label = gettext_lazy("Customers")
    url_prefix = "customers"
    index_view_class = CustomerIndexView
    inspect_view_class = CustomerView
    filterset_class = CustomerFilterSet
    list_per_page = 50
    list_display = [
        TitleColumn(
            "name",
            label=gettext_lazy("name"),
            accessor="masked_name",
            get_url=lambda c: reverse("customers:inspect", args=[c.pk]),
        ),
        Column("masked_mobile", label=gettext_lazy("mobile"), accessor=lambda c: c.masked_mobile or "—"),
        Column("number", label=gettext_lazy("customer number"), sort_key="number"),
        Column("district", label=gettext_lazy("district"), accessor=lambda c: sigungu_label(c.sigungu)),
        Column("branch", label=gettext_lazy("branch"), accessor=lambda c: c.branch.name if c.branch else "—"),
        Column("main_line", label=gettext_lazy("main product line"), accessor="get_main_line_display"),
        Column("premium", label=gettext_lazy("monthly premium"), accessor=lambda c: won(c.premium), sort_key="premium"),
        Column(
            "consultant",
            label=gettext_lazy("consultant"),
            accessor=lambda c: str(c.consultant) if c.consultant else _("Not assigned"),
        ),
        Column(
            "orphan_deadline",
            label=gettext_lazy("orphan deadline"),
            accessor=deadline_display,
            sort_key="orphaned_on",
        ),
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/open/", self.open_view, name="open"),
            path("export/", customer_export, name="export"),
        ]

    @property
    def open_view(self):
        return self.construct_view(CustomerOpenView, **self.get_inspect_view_kwargs())


class CustomerBookGroup(ModelViewSetGroup):
    menu_label = gettext_lazy("Customer book")
    menu_icon = "folder-open-inverse"
    menu_order = 330
    items = [CustomerViewSet("customers"), BookImportViewSet("book_imports")]
