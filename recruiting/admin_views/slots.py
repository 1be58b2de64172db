"""The appointment slots in the admin: staff manage their own branch's slots, HR every branch's.

A slot of another branch answers 404; a slot someone booked is never deleted.
"""

import datetime

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.forms import modelform_factory
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import CopyView, DeleteView, EditView, IndexView, InspectView
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log

from core.validators import reject_rrn
from recruiting import errors, services
from recruiting.models import Applicant, Appointment, AppointmentStatus, Branch, Slot, staff_branch_id


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
        self.fields["place"].validators.append(reject_rrn)
        if self.instance.pk and _booked(self.instance):
            for name in services.FIXED_WHEN_BOOKED:
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
        try:
            return super().form_valid(form)
        except errors.ApplicationError as error:
            form.add_error(error.field, str(error))
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def save_instance(self):
        # The service saves the slot under its row lock, refusing fewer seats than bookings.
        instance = services.slot_update(slot=self.form.instance, changed=self.form.changed_data)
        self.has_content_changes = self.form.has_changed()
        log(instance=instance, action="wagtail.edit", content_changed=self.has_content_changes)
        return instance


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
