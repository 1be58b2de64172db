"""The applicant back office: the list and its export, an applicant's page, and the moves,
notes and bookings made from it.

Every view reads applicants through `Applicant.objects.visible_to(user)`, so an
applicant of another branch answers 404; a role without the permission gets 403.
"""

import datetime
import re

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.widgets.button import HeaderButton

from core.viewsets import ReadOnlyModelViewSet
from recruiting import errors, services
from recruiting.admin_views.overview import applicant_board, round_funnel
from recruiting.forms import ExportReasonForm, SlotChoiceForm, StaffNoteForm, TransitionForm
from recruiting.models import (
    AccessRecord,
    Applicant,
    ApplicantConsent,
    AppointmentStatus,
    Branch,
    RecruitmentRound,
    RejectionReason,
    Slot,
    Source,
)
from recruiting.pipeline import ApplicantStatus, bookable_kinds, staff_moves_from

# DATETIME_FORMAT as a spreadsheet cell format: the Korean locale (412) writes 수 and 오전.
XLSX_DATETIME_FORMAT = '[$-412]yyyy"년" m"월" d"일" (ddd) AM/PM h:mm'


def _get_applicant_for_user(request: HttpRequest, pk: int) -> Applicant:
    """Return the applicant if `request.user` may see it; 404 otherwise, as if it did not exist."""
    queryset = Applicant.objects.visible_to(request.user).select_related("round", "preferred_branch", "district")
    return get_object_or_404(queryset, pk=pk)


def _staff_bookable_slots(applicant: Applicant):
    """Return the slots staff may book the applicant into at their stage (consultation or interview)."""
    return Slot.objects.bookable_for(applicant, bookable_kinds(applicant.status))


def _spreadsheet_safe(value: object) -> object:
    """Keep a spreadsheet from running text that starts like a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class ApplicantFilterSet(WagtailFilterSet):
    round = django_filters.ModelChoiceFilter(
        label=gettext_lazy("recruitment round"), queryset=RecruitmentRound.objects.all()
    )
    preferred_branch = django_filters.ModelChoiceFilter(label=gettext_lazy("branch"), queryset=Branch.objects.all())
    status = django_filters.ChoiceFilter(label=gettext_lazy("status"), choices=ApplicantStatus.choices)
    source = django_filters.ChoiceFilter(label=gettext_lazy("how they heard of us"), choices=Source.choices)
    created_at = django_filters.DateFromToRangeFilter(label=gettext_lazy("applied at"), widget=DateRangePickerWidget)

    class Meta:
        model = Applicant
        fields = ["round", "preferred_branch", "status", "source", "created_at"]


class ApplicantIndexView(IndexView):
    export_reason_template_name = "recruiting/admin/export_reason.html"
    # Wagtail writes times in UTC; people read them in Seoul, as the list shows them
    # (an application at 06:22 must not read as the day before). The XLSX cell stays a
    # date a spreadsheet can sort, the CSV is written the Korean way, with the year.
    custom_value_preprocess = {
        **IndexView.custom_value_preprocess,
        datetime.datetime: {
            IndexView.FORMAT_XLSX: timezone.make_naive,
            IndexView.FORMAT_CSV: lambda value: date_format(localtime(value), "DATETIME_FORMAT"),
        },
    }

    def get_base_queryset(self):
        return Applicant.objects.visible_to(self.request.user).select_related("round", "preferred_branch", "district")

    def search_queryset(self, queryset):
        """Find a Korean name by any part of it ('서연' finds '이서연'), a mobile by its digits."""
        if not self.is_searching:
            return queryset
        words = self.search_query.strip()
        condition = queryset.name_condition(words)
        digits = re.sub(r"[\s-]", "", words)
        if len(digits) >= 3 and digits.isdigit():
            condition |= Q(mobile__contains=digits)
        return queryset.filter(condition)

    @cached_property
    def header_buttons(self):
        buttons = [
            *super().header_buttons,
            HeaderButton(_("Pipeline board"), url=reverse("applicants:board"), icon_name="table"),
        ]
        if self.request.user.has_perm("recruiting.export_applicant"):
            # In sight, not only in the "more" menu: it leads to the reason page, never straight to a file.
            buttons.append(HeaderButton(_("Export"), url=self.xlsx_export_url, icon_name="download"))
        return buttons

    def render_to_response(self, context, **response_kwargs):
        if not self.is_export:
            return super().render_to_response(context, **response_kwargs)
        if not self.request.user.has_perm("recruiting.export_applicant"):
            raise PermissionDenied
        form = ExportReasonForm(self.request.GET if "reason" in self.request.GET else None)
        if not form.is_valid():
            return TemplateResponse(
                self.request,
                self.export_reason_template_name,
                {**context, "form": form, "carried": self._carried_parameters()},
            )
        try:
            services.access_record_write(
                user=self.request.user,
                action=AccessRecord.Action.EXPORT,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                filters=self._recorded_filters(),
                row_count=context["object_list"].count(),
            )
        except errors.ApplicationError as error:
            form.add_error(error.field, str(error))
            return TemplateResponse(
                self.request,
                self.export_reason_template_name,
                {**context, "form": form, "carried": self._carried_parameters()},
            )
        return super().render_to_response(context, **response_kwargs)

    def _carried_parameters(self) -> list[tuple[str, str]]:
        """Return the query parameters the reason form must send back with the reason."""
        return [
            (key, value) for key, value in self.request.GET.lists() for value in value if key not in ("reason", "note")
        ]

    def _recorded_filters(self) -> dict[str, object]:
        # The search words may be a name or a mobile number: record only that there were some.
        recorded = {
            key: self.request.GET.getlist(key) for key in self.request.GET if key not in ("q", "reason", "note")
        }
        if self.is_searching:
            recorded["q"] = "…"
        return recorded

    def preprocess_field_value(self, field, value, export_format):
        return _spreadsheet_safe(super().preprocess_field_value(field, value, export_format))

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        # Wagtail derives the cell format from SHORT_DATETIME_FORMAT, which has no year.
        return super().generate_xlsx_row(worksheet, row_dict, date_format=XLSX_DATETIME_FORMAT)

    def stream_csv(self, queryset):
        # Excel reads a UTF-8 file as Korean only when it starts with a byte-order mark.
        yield "\ufeff"
        yield from super().stream_csv(queryset)


class ApplicantDetailView(InspectView):
    template_name = "recruiting/admin/applicant_detail.html"

    page_title = gettext_lazy("Applicant")

    def get_object(self, queryset=None):
        # A role without the permission is refused before the lookup (403, not 404).
        if not self.request.user.has_perm("recruiting.view_applicant"):
            raise PermissionDenied
        return _get_applicant_for_user(self.request, self.pk)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        services.access_record_write(user=request.user, action=AccessRecord.Action.VIEW, applicant=self.object)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        applicant = self.object
        context.update(
            applicant=applicant,
            consents=ApplicantConsent.objects.filter(applicant=applicant).select_related("notice_version"),
            timeline=applicant.events.select_related("actor").prefetch_related("notifications"),
            notes=applicant.staff_notes.select_related("author"),
            can_change=self.request.user.has_perm("recruiting.change_applicant"),
            transition_form=TransitionForm(applicant=applicant),
            can_move=bool(staff_moves_from(applicant.status)),
            note_form=StaffNoteForm(),
            appointments=applicant.appointments.select_related("slot__branch", "booked_by").order_by("-created_at"),
            booking_form=SlotChoiceForm(slots=_staff_bookable_slots(applicant)),
        )
        return context

    def get_fields(self):
        return []


class ApplicantViewSet(ReadOnlyModelViewSet):
    model = Applicant
    icon = "user"
    menu_label = gettext_lazy("Applicants")
    index_view_class = ApplicantIndexView
    inspect_view_class = ApplicantDetailView
    filterset_class = ApplicantFilterSet
    search_fields = ["name", "mobile"]
    search_backend_name = None
    list_per_page = 50
    list_display = [
        TitleColumn(
            "name",
            label=gettext_lazy("name"),
            sort_key="name",
            get_url=lambda a: reverse("applicants:inspect", args=[a.pk]),
        ),
        Column("mobile_display", label=gettext_lazy("mobile")),
        Column("round", label=gettext_lazy("recruitment round"), sort_key="round__opens_on"),
        Column(
            "preferred_branch",
            label=gettext_lazy("branch"),
            accessor="preferred_branch.name",
            sort_key="preferred_branch__sort_order",
        ),
        Column("status", label=gettext_lazy("status"), accessor="get_status_display", sort_key="status"),
        Column("source", label=gettext_lazy("how they heard of us"), accessor="get_source_display", sort_key="source"),
        Column(
            "created_at",
            label=gettext_lazy("applied at"),
            accessor=lambda applicant: date_format(localtime(applicant.created_at), "SHORT_DATETIME_FORMAT"),
            sort_key="created_at",
        ),
    ]
    list_export = [
        "name",
        "mobile_display",
        "email",
        "birth_year",
        "district",
        "preferred_branch.name",
        "round",
        "get_status_display",
        "get_source_display",
        "created_at",
    ]
    export_headings = {
        "name": gettext_lazy("name"),
        "mobile_display": gettext_lazy("mobile"),
        "email": gettext_lazy("email"),
        "birth_year": gettext_lazy("birth year"),
        "district": gettext_lazy("district of residence"),
        "preferred_branch.name": gettext_lazy("branch"),
        "round": gettext_lazy("recruitment round"),
        "get_status_display": gettext_lazy("status"),
        "get_source_display": gettext_lazy("how they heard of us"),
        "created_at": gettext_lazy("applied at"),
    }
    export_filename = "applicants"

    def get_urlpatterns(self):
        # Applicants come from the public form and leave through the pipeline and the
        # retention job: the admin neither adds, edits nor deletes them.
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/move/", applicant_move, name="move"),
            path("<int:pk>/notes/", applicant_add_note, name="add_note"),
            path("<int:pk>/book/", applicant_book, name="book"),
            path("<int:pk>/appointments/<int:appointment_pk>/cancel/", applicant_cancel_appointment, name="cancel"),
            path("board/", applicant_board, name="board"),
            path("funnel/<int:round_pk>/", round_funnel, name="funnel"),
        ]


@require_POST
@permission_required("recruiting.change_applicant", raise_exception=True)
def applicant_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an applicant to another stage through the service of that move."""
    applicant = _get_applicant_for_user(request, pk)
    form = TransitionForm(request.POST, applicant=applicant)
    if not form.is_valid():
        messages.error(request, " ".join(error for field_errors in form.errors.values() for error in field_errors))
        return _after_move(request, applicant)
    move = form.cleaned_data
    try:
        if move["to"] == ApplicantStatus.REJECTED:
            services.applicant_reject_check(reason=move["reason"], note=move["note"])
        if form.needs_confirmation:
            return _confirm_move(request, applicant, form)
        _move(applicant=applicant, actor=request.user, move=move)
    except errors.ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(name)s is now %(status)s.") % {"name": applicant.name, "status": ApplicantStatus(move["to"]).label},
        )
    return _after_move(request, applicant)


def _move(*, applicant: Applicant, actor: User, move: dict) -> None:
    """Call the service of the chosen move by its name, so that each move can be followed by searching it."""
    given = {"applicant": applicant, "actor": actor, "note": move["note"], "expected_status": move["expected_status"]}
    match move["to"]:
        case ApplicantStatus.CONSULTED:
            services.applicant_mark_consulted(**given)
        case ApplicantStatus.INTERVIEW:
            services.applicant_invite_to_interview(**given)
        case ApplicantStatus.ACCEPTED:
            services.applicant_accept(**given)
        case ApplicantStatus.REJECTED:
            services.applicant_reject(reason=move["reason"], **given)
        case ApplicantStatus.WITHDRAWN:
            services.applicant_withdraw(**given)
        case other:
            raise ValueError(f"Staff have no move to {other}")


def _after_move(request: HttpRequest, applicant: Applicant) -> HttpResponse:
    if request.POST.get("next") == "board":
        return redirect(reverse("applicants:board") + f"?round={applicant.round_id}")
    return redirect("applicants:inspect", pk=applicant.pk)


def _confirm_move(request: HttpRequest, applicant: Applicant, form: TransitionForm) -> HttpResponse:
    """Show who is affected and what will happen, and post the same move back once confirmed.

    Rejecting or withdrawing closes the application and emails the applicant: it is never
    one click away, and nothing is saved until the confirmation comes back.
    """
    to = ApplicantStatus(form.cleaned_data["to"])
    upcoming = applicant.appointments.upcoming().select_related("slot__branch")
    return TemplateResponse(
        request,
        "recruiting/admin/move_confirm.html",
        {
            "page_title": _("Confirm: %(status)s") % {"status": to.label},
            "page_subtitle": applicant.name,
            "header_icon": "warning",
            "applicant": applicant,
            "to": to,
            "reason": RejectionReason(form.cleaned_data["reason"]) if to == ApplicantStatus.REJECTED else None,
            "note": form.cleaned_data["note"],
            "upcoming": upcoming,
            "next": request.POST.get("next", ""),
        },
    )


@require_POST
@permission_required("recruiting.change_applicant", raise_exception=True)
def applicant_add_note(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a staff note to an applicant's record."""
    applicant = _get_applicant_for_user(request, pk)
    form = StaffNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["text"]))
        return redirect("applicants:inspect", pk=applicant.pk)
    try:
        services.applicant_add_note(applicant=applicant, author=request.user, text=form.cleaned_data["text"])
    except errors.ApplicationError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The note was added."))
    return redirect("applicants:inspect", pk=applicant.pk)


@require_POST
@permission_required("recruiting.change_applicant", raise_exception=True)
def applicant_book(request: HttpRequest, pk: int) -> HttpResponse:
    """Book the applicant into a consultation or interview slot, or move their booking."""
    applicant = _get_applicant_for_user(request, pk)
    form = SlotChoiceForm(request.POST, slots=_staff_bookable_slots(applicant))
    if form.is_valid():
        try:
            services.appointment_book(applicant=applicant, slot=form.cleaned_data["slot"], actor=request.user)
        except errors.ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Booked. The applicant gets the confirmation by email."))
    else:
        messages.error(request, " ".join(form.errors["slot"]))
    return redirect("applicants:inspect", pk=applicant.pk)


@require_POST
@permission_required("recruiting.change_applicant", raise_exception=True)
def applicant_cancel_appointment(request: HttpRequest, pk: int, appointment_pk: int) -> HttpResponse:
    """Cancel one of the applicant's bookings."""
    applicant = _get_applicant_for_user(request, pk)
    appointment = get_object_or_404(applicant.appointments, pk=appointment_pk, status=AppointmentStatus.BOOKED)
    services.appointment_cancel(appointment=appointment, actor=request.user)
    messages.success(request, _("The appointment is cancelled and the applicant is told."))
    return redirect("applicants:inspect", pk=applicant.pk)
