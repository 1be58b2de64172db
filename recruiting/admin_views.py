"""The recruiting back office in the Wagtail admin: applicant list, detail, board and funnel.

Every view reads applicants through `Applicant.objects.visible_to(user)`, so an
applicant of another branch answers 404; a role without the permission gets 403.
"""

import datetime
import re

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.forms import modelform_factory
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import CopyView, DeleteView, EditView, IndexView, InspectView
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from recruiting import errors, funnel, services
from recruiting.forms import ExportReasonForm, SlotChoiceForm, StaffNoteForm, TransitionForm
from recruiting.models import (
    AccessRecord,
    Applicant,
    ApplicantConsent,
    ApplicantStatus,
    Appointment,
    AppointmentStatus,
    Branch,
    RecruitmentRound,
    RejectionReason,
    Slot,
    Source,
    staff_branch_id,
)

BOARD_CARDS_PER_STAGE = 25
# DATETIME_FORMAT as a spreadsheet cell format: the Korean locale (412) writes 수 and 오전.
XLSX_DATETIME_FORMAT = '[$-412]yyyy"년" m"월" d"일" (ddd) AM/PM h:mm'


def _get_applicant_for_user(request: HttpRequest, pk: int) -> Applicant:
    """Return the applicant if `request.user` may see it; 404 otherwise, as if it did not exist."""
    queryset = Applicant.objects.visible_to(request.user).select_related("round", "preferred_branch", "district")
    return get_object_or_404(queryset, pk=pk)


def _staff_bookable_slots(applicant: Applicant):
    """Return the slots staff may book the applicant into at their stage (consultation or interview)."""
    kinds = [kind for kind, stages in services.BOOKABLE.items() if applicant.status in stages]
    return Slot.objects.bookable_for(applicant, kinds)


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
        condition = Q(name__icontains=words)
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
        services.access_record_write(
            user=self.request.user,
            action=AccessRecord.Action.EXPORT,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            filters=self._recorded_filters(),
            row_count=context["object_list"].count(),
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
            can_move=bool(services.staff_moves_from(applicant)),
            note_form=StaffNoteForm(),
            appointments=applicant.appointments.select_related("slot__branch", "booked_by").order_by("-created_at"),
            booking_form=SlotChoiceForm(slots=_staff_bookable_slots(applicant)),
        )
        return context

    def get_fields(self):
        return []


class ReadOnlyModelViewSet(ModelViewSet):
    """A listing with a detail page and nothing else: no add, edit, copy, delete or history.

    Subclasses list their URL patterns; links to an object (from usage listings, for
    example) point at its detail page.
    """

    inspect_view_enabled = True
    copy_view_enabled = False

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )

    def register_reference_index(self):
        # These rows are records, not content: tracking what they reference would cost
        # queries on every write (an access record per page view) for no screen that reads it.
        pass

    @property
    def url_finder_class(self):
        return type(
            "_DetailURLFinder",
            (ModelAdminURLFinder,),
            {"permission_policy": self.permission_policy, "edit_url_name": self.get_url_name("inspect")},
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.inspect_view, name="inspect"),
        ]


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
    """Move an applicant to another stage through the transition service."""
    applicant = _get_applicant_for_user(request, pk)
    form = TransitionForm(request.POST, applicant=applicant)
    back = request.POST.get("next") == "board"
    if form.is_valid() and form.needs_confirmation:
        return _confirm_move(request, applicant, form)
    if form.is_valid():
        to = form.cleaned_data["to"]
        extra = {"reason": form.cleaned_data["reason"]} if to == ApplicantStatus.REJECTED else {}
        try:
            services.STAFF_TRANSITIONS[to](
                applicant=applicant,
                actor=request.user,
                note=form.cleaned_data["note"],
                expected_status=form.cleaned_data["expected_status"],
                **extra,
            )
        except errors.ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(name)s is now %(status)s.") % {"name": applicant.name, "status": ApplicantStatus(to).label},
            )
    else:
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    if back:
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
    if form.is_valid():
        services.applicant_add_note(applicant=applicant, author=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("The note was added."))
    else:
        messages.error(request, " ".join(form.errors["text"]))
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


@permission_required("recruiting.view_applicant", raise_exception=True)
def applicant_board(request: HttpRequest) -> HttpResponse:
    """Show one column per stage with its count and its most recent cards."""
    rounds = list(RecruitmentRound.objects.all())
    round_pk = request.GET.get("round")
    selected = next((r for r in rounds if str(r.pk) == round_pk), rounds[0] if rounds else None)
    visible = Applicant.objects.visible_to(request.user).filter(round=selected)
    counts = dict(visible.order_by().values_list("status").annotate(n=Count("pk")))
    columns = []
    for status in ApplicantStatus:
        cards = list(visible.filter(status=status).select_related("preferred_branch")[:BOARD_CARDS_PER_STAGE])
        for card in cards:
            card.moves = [
                m
                for m in services.staff_moves_from(card)
                if m not in (ApplicantStatus.REJECTED, ApplicantStatus.WITHDRAWN)
            ]
        columns.append({"status": status, "count": counts.get(status, 0), "cards": cards})
    return TemplateResponse(
        request,
        "recruiting/admin/board.html",
        {
            "page_title": _("Pipeline board"),
            "header_icon": "table",
            "rounds": rounds,
            "selected_round": selected,
            "columns": columns,
            "cards_per_stage": BOARD_CARDS_PER_STAGE,
            "can_change": request.user.has_perm("recruiting.change_applicant"),
        },
    )


@permission_required("recruiting.view_applicant", raise_exception=True)
def round_funnel(request: HttpRequest, round_pk: int) -> HttpResponse:
    """Show how many applicants of a round reached each stage, overall and per branch."""
    round = get_object_or_404(RecruitmentRound, pk=round_pk)
    report = funnel.round_funnel(round=round, applicants=Applicant.objects.visible_to(request.user))
    return TemplateResponse(
        request,
        "recruiting/admin/funnel.html",
        {
            "page_title": _("Funnel"),
            "page_subtitle": str(round),
            "header_icon": "view",
            "round": round,
            "report": report,
        },
    )


class FunnelPanel(Component):
    """The dashboard panel: the funnel of every open round, within the user's scope."""

    name = "recruiting_funnel"
    order = 50
    template_name = "recruiting/admin/funnel_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        visible = Applicant.objects.visible_to(self.user)
        return {
            "funnels": [
                (round, funnel.round_funnel(round=round, applicants=visible)["overall"])
                for round in RecruitmentRound.objects.open()
            ]
        }


# What the people booked were sent in their invitation: fixed once a seat is booked.
FIXED_WHEN_BOOKED = ("branch", "kind", "starts_at", "duration_minutes", "place")


class SlotForm(WagtailAdminModelForm):
    """A slot of the user's own branch; HR may choose any branch.

    Once someone has booked the slot only its seats change: the booked were sent its time
    and place, and a move is made booking by booking so that each one is told.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.for_user.has_perm("recruiting.view_all_branches"):
            self.fields["branch"].queryset = Branch.objects.filter(pk=staff_branch_id(self.for_user))
        self.fields["branch"].empty_label = None
        if self.instance.pk and _booked(self.instance):
            for name in FIXED_WHEN_BOOKED:
                self.fields[name].disabled = True
            self.fields["starts_at"].help_text = _(
                "People have booked this time, so only its seats can change. Move a booking from the applicant's page."
            )

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        if starts_at <= timezone.now() and (self.instance.pk is None or "starts_at" in self.changed_data):
            raise ValidationError(_("Choose a time in the future."))
        return starts_at


def _booked(slot: Slot) -> int:
    return slot.appointments.filter(status=AppointmentStatus.BOOKED).count()


def _start_of_today() -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))


def _slots_for(user):
    """Return the slots `user` manages; a role without slots is refused (403) before any lookup."""
    if not user.has_perm("recruiting.view_slot"):
        raise PermissionDenied
    return Slot.objects.visible_to(user).select_related("branch")


def _bookings_visible_to(user) -> Prefetch:
    """Prefetch each slot's current bookings whose applicant `user` may open, as `visible_bookings`."""
    bookings = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED, applicant__in=Applicant.objects.visible_to(user)
    ).select_related("applicant")
    return Prefetch("appointments", queryset=bookings.order_by("created_at", "pk"), to_attr="visible_bookings")


class BranchScopedSlotMixin:
    """A slot view that sees only the slots of the user's branch (HR: all); others answer 404.

    Wagtail's history and usage views read their object here; edit and delete views
    (Django's single-object views) read it through `get_queryset`, see below.
    """

    def get_base_object_queryset(self):
        return _slots_for(self.request.user)


class BranchScopedSlotFormMixin(BranchScopedSlotMixin):
    def get_queryset(self):
        return _slots_for(self.request.user)


class SlotFilterSet(WagtailFilterSet):
    period = django_filters.ChoiceFilter(
        label=gettext_lazy("period"),
        choices=[("past", gettext_lazy("Past slots")), ("all", gettext_lazy("All slots"))],
        empty_label=gettext_lazy("From today"),
        method="filter_period",
    )

    class Meta:
        model = Slot
        fields = ["period", "kind", "branch"]

    def filter_period(self, queryset, name, value):
        return queryset.filter(starts_at__lt=_start_of_today()) if value == "past" else queryset

    def filter_queryset(self, queryset):
        # The list opens on what is still to come; today's slots stay in it all day.
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("period"):
            queryset = queryset.filter(starts_at__gte=_start_of_today())
        return queryset


def _booked_by(slot: Slot) -> str:
    return format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        ((reverse("applicants:inspect", args=[b.applicant_id]), b.applicant.name) for b in slot.visible_bookings),
    )


class SlotIndexView(IndexView):
    default_ordering = "starts_at"

    def get_base_queryset(self):
        booked = Count("appointments", filter=Q(appointments__status=AppointmentStatus.BOOKED))
        return (
            _slots_for(self.request.user)
            .annotate(booked=booked, ever_booked=Exists(Appointment.objects.filter(slot=OuterRef("pk"))))
            .prefetch_related(_bookings_visible_to(self.request.user))
        )

    def get_ordering(self):
        # The past is read backwards: the most recent first.
        if self.request.GET.get("period") == "past" and not self.is_explicitly_ordered:
            return "-starts_at"
        return super().get_ordering()

    @cached_property
    def columns(self):
        title = self._get_title_column_class(TitleColumn)(
            "starts_at",
            label=gettext_lazy("starts at"),
            accessor=lambda slot: date_format(localtime(slot.starts_at), "SHORT_DATETIME_FORMAT"),
            sort_key="starts_at",
            get_url=lambda slot: reverse("slots:inspect", args=[slot.pk]),
        )
        return [
            title,
            Column("kind", label=gettext_lazy("kind"), accessor="get_kind_display", sort_key="kind"),
            Column("branch", label=gettext_lazy("branch"), accessor="branch.name"),
            Column("place", label=gettext_lazy("place")),
            Column("booked", label=gettext_lazy("seats booked"), accessor=lambda s: f"{s.booked} / {s.capacity}"),
            Column("booked_by", label=gettext_lazy("booked by"), accessor=_booked_by),
        ]

    def get_list_more_buttons(self, instance):
        # A slot someone booked (even if cancelled since) is part of their history: never deleted.
        buttons = super().get_list_more_buttons(instance)
        if instance.ever_booked:
            buttons = [b for b in buttons if b.url != reverse("slots:delete", args=[instance.pk])]
        return buttons


class SlotDetailView(InspectView):
    template_name = "recruiting/admin/slot_detail.html"
    page_title = gettext_lazy("Slot details")

    def get_object(self, queryset=None):
        return get_object_or_404(
            _slots_for(self.request.user).prefetch_related(_bookings_visible_to(self.request.user)), pk=self.pk
        )

    def get_fields(self):
        return []

    @cached_property
    def ever_booked(self) -> bool:
        return self.object.appointments.exists()

    def get_delete_url(self):
        return None if self.ever_booked else super().get_delete_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            slot=self.object,
            booked=_booked(self.object),
            ever_booked=self.ever_booked,
            edit_url=self.get_edit_url(),
            delete_url=self.get_delete_url(),
        )
        return context


class SlotEditView(BranchScopedSlotFormMixin, EditView):
    def form_valid(self, form):
        # Booking takes this row lock too, so the seats are compared with the bookings as
        # they are now, not as they were when the form was opened.
        with transaction.atomic():
            slot = Slot.objects.select_for_update(of=("self",)).get(pk=self.object.pk)
            booked = _booked(slot)
            if form.cleaned_data["capacity"] < booked:
                form.add_error(
                    "capacity",
                    _("%(booked)s people have booked this time; the seats cannot be fewer.") % {"booked": booked},
                )
            elif booked and set(form.changed_data) & set(FIXED_WHEN_BOOKED):
                form.add_error(None, _("Someone booked this time a moment ago; only its seats can change now."))
            if form.errors:
                self.produced_error_message = self.get_error_message()
                return self.form_invalid(form)
            return super().form_valid(form)


class SlotDeleteView(BranchScopedSlotFormMixin, DeleteView):
    """Delete a slot nobody ever booked, after Wagtail's confirmation page."""

    def get(self, request, *args, **kwargs):
        if self.object.appointments.exists():
            return self._refuse()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        # Booking takes the slot's row lock: a booking in flight commits first and is seen here.
        with transaction.atomic():
            Slot.objects.select_for_update(of=("self",)).filter(pk=self.object.pk).exists()
            if self.object.appointments.exists():
                return self._refuse()
            return super().post(request, *args, **kwargs)

    def _refuse(self) -> HttpResponse:
        messages.error(self.request, _("A slot with bookings on record cannot be deleted."))
        return redirect("slots:inspect", pk=self.object.pk)


class SlotCopyView(CopyView):
    def get_object(self, queryset=None):
        return get_object_or_404(_slots_for(self.request.user), pk=self.kwargs[self.pk_url_kwarg])


class SlotViewSet(ModelViewSet):
    model = Slot
    icon = "date"
    menu_label = gettext_lazy("Appointment slots")
    url_prefix = "slots"
    form_fields = ["branch", "kind", "starts_at", "duration_minutes", "place", "capacity"]
    filterset_class = SlotFilterSet
    inspect_view_enabled = True
    index_view_class = SlotIndexView
    inspect_view_class = SlotDetailView
    edit_view_class = SlotEditView
    delete_view_class = SlotDeleteView
    history_view_class = type("SlotHistoryView", (BranchScopedSlotMixin, HistoryView), {})
    usage_view_class = type("SlotUsageView", (BranchScopedSlotMixin, UsageView), {})
    copy_view_class = SlotCopyView

    def get_form_class(self, for_update=False):
        return modelform_factory(self.model, form=SlotForm, fields=self.form_fields)
