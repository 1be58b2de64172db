"""The pool screen: members per branch with capacity and registration; HR releases cohorts into it."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from assignments import services
from assignments.models import PoolMember
from curriculum.models import Cohort, EnrollmentStatus


def _members_for(user):
    if not user.has_perm("assignments.view_poolmember"):
        raise PermissionDenied
    return PoolMember.objects.visible_to(user).select_related(
        "branch", "enrollment__applicant", "enrollment__cohort__branch", "released_by"
    )


class ReleaseForm(forms.Form):
    cohort = forms.ModelChoiceField(
        label=gettext_lazy("Cohort"),
        queryset=Cohort.objects.none(),
        empty_label=gettext_lazy("Choose a cohort"),
        error_messages={
            "required": gettext_lazy("Choose the cohort whose graduates to release; nothing was released."),
            "invalid_choice": gettext_lazy("That cohort has no graduates waiting for the pool."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        waiting = Count(
            "enrollments", filter=Q(enrollments__status=EnrollmentStatus.GRADUATED, enrollments__pool_member=None)
        )
        self.fields["cohort"].queryset = (
            Cohort.objects.annotate(waiting=waiting).filter(waiting__gt=0).select_related("branch")
        )


class PoolIndexView(IndexView):
    template_name = "assignments/pool_index.html"

    def get_base_queryset(self):
        return _members_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.has_perm("assignments.change_poolmember"):
            context["release_form"] = ReleaseForm()
        members = _members_for(self.request.user)
        context["summary"] = {"members": members.count(), "assignable": members.assignable().count()}
        context["branches"] = _totals_per_branch(members)
        return context


def _totals_per_branch(members) -> list[dict]:
    """Return, for each branch with members, how many there are, how many are assignable, and their capacity."""
    assignable = Q(enrollment__registered_on__isnull=False) & ~Q(enrollment__registration_number="")
    rows = (
        members.order_by()
        .values("branch__sort_order", "branch__name")
        .annotate(
            member_count=Count("pk"),
            assignable_count=Count("pk", filter=assignable),
            total_capacity=Sum("capacity"),
            assignable_capacity=Coalesce(Sum("capacity", filter=assignable), 0),
        )
        .order_by("branch__sort_order", "branch__name")
    )
    return [
        {
            "branch": row["branch__name"],
            "members": row["member_count"],
            "assignable": row["assignable_count"],
            "capacity": row["total_capacity"],
            "assignable_capacity": row["assignable_capacity"],
        }
        for row in rows
    ]


class PoolEditView(EditView):
    def get_queryset(self):
        # Without the permission to change members, refuse (403) before looking the member up.
        if not self.request.user.has_perm("assignments.change_poolmember"):
            raise PermissionDenied
        return _members_for(self.request.user)


class PoolViewSet(ModelViewSet):
    model = PoolMember
    icon = "group"
    menu_label = gettext_lazy("Assignment pool")
    menu_order = 320
    add_to_admin_menu = True
    url_prefix = "pool"
    form_fields = ["capacity"]
    list_filter = ["branch"]
    index_view_class = PoolIndexView
    edit_view_class = PoolEditView
    inspect_view_enabled = False
    copy_view_enabled = False
    list_display = [
        "__str__",
        Column("branch", label=gettext_lazy("branch"), accessor="branch.name", sort_key="branch__sort_order"),
        Column("cohort", label=gettext_lazy("cohort"), accessor="enrollment.cohort"),
        Column("capacity", label=gettext_lazy("customer capacity"), sort_key="capacity"),
        Column(
            "registered",
            label=gettext_lazy("Registered with the association"),
            accessor=lambda m: m.enrollment.registration_number if m.is_registered else _("Not yet (not assignable)"),
        ),
        Column(
            "released_at",
            label=gettext_lazy("released at"),
            accessor=lambda m: date_format(localtime(m.released_at), "DATE_FORMAT"),
            sort_key="released_at",
        ),
        Column(
            "released_by",
            label=gettext_lazy("released by"),
            accessor=lambda m: (
                (m.released_by.get_full_name() or m.released_by.get_username())
                if m.released_by
                else _("Daily release (automatic)")
            ),
        ),
    ]

    def get_urlpatterns(self):
        kept = ("index", "index_results", "edit", "history", "history_results", "usage")
        return [
            *(p for p in super().get_urlpatterns() if p.name in kept),
            path("release/", pool_release, name="release"),
        ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**{"add_url_name": None, "delete_url_name": None, **kwargs})


@require_POST
@permission_required("assignments.change_poolmember", raise_exception=True)
def pool_release(request: HttpRequest) -> HttpResponse:
    """Release the graduates of a cohort now, before the daily job would at the start of month 4."""
    form = ReleaseForm(request.POST)
    if form.is_valid():
        released = services.cohort_release(cohort=form.cleaned_data["cohort"], actor=request.user)
        messages.success(request, _("%(count)s graduates joined the pool.") % {"count": released})
    else:
        messages.error(request, " ".join(form.errors["cohort"]))
    return redirect("pool:index")
