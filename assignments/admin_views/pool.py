"""The pool screens: members per branch with their status, capacity and registration; each member's page
with her history; the moves to leave, back and out; and HR's release of a cohort into the pool.

Every view reads members through `PoolMember.objects.visible_to(user)`, so a member of another
branch answers 404; a role without the permission gets 403, checked before the lookup.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import EditView, IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet

from assignments import services
from assignments.errors import PoolError
from assignments.models import ASSIGNABLE, PoolMember, PoolMemberEvent, PoolMemberStatus
from core.validators import reject_rrn
from curriculum.models import Cohort, EnrollmentStatus


def _members_for(user):
    if not user.has_perm("assignments.view_poolmember"):
        raise PermissionDenied
    return PoolMember.objects.visible_to(user).select_related(
        "branch", "enrollment__applicant", "enrollment__cohort__branch", "released_by", "user"
    )


def _get_member_for_user(request: HttpRequest, pk: int) -> PoolMember:
    """Return the member if `request.user` may see her; 404 otherwise, as if she did not exist."""
    return get_object_or_404(_members_for(request.user), pk=pk)


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


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


class PoolMoveForm(forms.Form):
    """The reason for a move and the status the staff member saw when she asked for it."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=services.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_rrn],
        error_messages={
            "required": gettext_lazy("Give the reason; nothing was changed."),
            "max_length": gettext_lazy("Keep the reason to %(limit_value)d characters; nothing was changed."),
        },
    )
    expected_status = forms.ChoiceField(choices=PoolMemberStatus.choices, widget=forms.HiddenInput)

    def __init__(self, *args, reason_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        if not reason_required:
            self.fields["reason"].label = _("Note (optional)")


class PoolIndexView(IndexView):
    template_name = "assignments/pool_index.html"

    def get_base_queryset(self):
        return _members_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.has_perm("assignments.change_poolmember"):
            context["release_form"] = ReleaseForm()
        members = _members_for(self.request.user)
        context["summary"] = members.order_by().aggregate(
            members=Count("pk", filter=~Q(status=PoolMemberStatus.LEFT)),
            on_leave=Count("pk", filter=Q(status=PoolMemberStatus.ON_LEAVE)),
            assignable=Count("pk", filter=ASSIGNABLE),
        )
        context["branches"] = _totals_per_branch(members.current())
        return context


def _totals_per_branch(members) -> list[dict]:
    """Return, for each branch with members, how many there are, how many are assignable, and their capacity."""
    rows = (
        members.order_by()
        .values("branch__sort_order", "branch__name")
        .annotate(
            member_count=Count("pk"),
            on_leave_count=Count("pk", filter=Q(status=PoolMemberStatus.ON_LEAVE)),
            assignable_count=Count("pk", filter=ASSIGNABLE),
            total_capacity=Sum("capacity"),
            assignable_capacity=Coalesce(Sum("capacity", filter=ASSIGNABLE), 0),
        )
        .order_by("branch__sort_order", "branch__name")
    )
    return [
        {
            "branch": row["branch__name"],
            "members": row["member_count"],
            "on_leave": row["on_leave_count"],
            "assignable": row["assignable_count"],
            "capacity": row["total_capacity"],
            "assignable_capacity": row["assignable_capacity"],
        }
        for row in rows
    ]


class PoolMemberView(InspectView):
    """A member's page: her facts, the moves open to her, and her history from the release on."""

    template_name = "assignments/pool_member.html"
    page_title = gettext_lazy("Pool member")

    def get_object(self, queryset=None):
        # A role without the permission is refused before the lookup (403, not 404).
        return _get_member_for_user(self.request, self.pk)

    def get_fields(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member = self.object
        moves = [move for move in MOVES if PoolMember.lifecycle.allows(member.status, move.to)]
        context.update(
            member=member,
            moves=moves if self.request.user.has_perm("assignments.move_poolmember") else [],
            history=[_history_row(event) for event in member.events.select_related("actor")],
        )
        return context


def _history_row(event: PoolMemberEvent) -> dict:
    if event.actor:
        actor = _person(event.actor)
    elif not event.from_status:
        actor = _("Daily release (automatic)")
    else:
        actor = "—"
    return {"event": event, "actor": actor}


@dataclass(frozen=True)
class Move:
    """One move a staff member may make on a member: its URL name, the status it leads to, and its wording."""

    url_name: str
    to: PoolMemberStatus
    label: str
    question: str
    effect: str
    reason_required: bool


TAKE_LEAVE = Move(
    url_name="pool:take_leave",
    to=PoolMemberStatus.ON_LEAVE,
    label=gettext_lazy("Put on leave"),
    question=gettext_lazy("Put %(name)s on leave?"),
    effect=gettext_lazy("She receives no new customers while she is on leave. Her customers stay with her."),
    reason_required=True,
)
RETURN = Move(
    url_name="pool:return",
    to=PoolMemberStatus.ACTIVE,
    label=gettext_lazy("Back from leave"),
    question=gettext_lazy("Bring %(name)s back from leave?"),
    effect=gettext_lazy("She is active again and may receive customers once her registration is complete."),
    reason_required=False,
)
LEAVE = Move(
    url_name="pool:leave",
    to=PoolMemberStatus.LEFT,
    label=gettext_lazy("Record leaving"),
    question=gettext_lazy("Record that %(name)s has left?"),
    effect=gettext_lazy("Leaving is final: she receives no customers again and cannot be brought back."),
    reason_required=True,
)
MOVES = [TAKE_LEAVE, RETURN, LEAVE]


@permission_required("assignments.move_poolmember", raise_exception=True)
def member_take_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a reason and confirmation, then put the member on leave."""
    return _move(request, pk, TAKE_LEAVE, services.pool_member_take_leave)


@permission_required("assignments.move_poolmember", raise_exception=True)
def member_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for confirmation, then bring the member back from leave."""
    return _move(request, pk, RETURN, services.pool_member_return)


@permission_required("assignments.move_poolmember", raise_exception=True)
def member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a reason and confirmation, then record that the member left."""
    return _move(request, pk, LEAVE, services.pool_member_leave)


def _move(request: HttpRequest, pk: int, move: Move, service: Callable[..., PoolMemberEvent]) -> HttpResponse:
    """Show the confirmation (GET) or make the move through its service (POST); nothing is saved before the POST.

    The confirmation carries the status the staff member saw, so a second POST of the same
    move, or a move someone else made meanwhile, is refused with a message instead of repeated.
    """
    member = _get_member_for_user(request, pk)
    member_url = reverse("pool:inspect", args=[member.pk])
    if request.method == "POST":
        form = PoolMoveForm(request.POST, reason_required=move.reason_required)
        if form.is_valid():
            try:
                service(
                    member=member,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    expected=form.cleaned_data["expected_status"],
                )
            except PoolError as error:
                messages.error(request, str(error))
            else:
                status = member.get_status_display()
                messages.success(
                    request, _("%(name)s is now %(status)s in the pool.") % {"name": member, "status": status}
                )
            return redirect(member_url)
    elif not PoolMember.lifecycle.allows(member.status, move.to):
        messages.error(
            request,
            PoolMember.lifecycle.illegal_message
            % {"status": member.get_status_display(), "new": PoolMemberStatus(move.to).label},
        )
        return redirect(member_url)
    else:
        form = PoolMoveForm(initial={"expected_status": member.status}, reason_required=move.reason_required)
    return TemplateResponse(
        request,
        "assignments/pool_member_move.html",
        {
            "page_title": move.label,
            "page_subtitle": str(member),
            "header_icon": "warning",
            "member": member,
            "move": move,
            "question": move.question % {"name": member},
            "to_label": PoolMemberStatus(move.to).label,
            "form": form,
            "member_url": member_url,
        },
    )


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
    list_filter = ["branch", "status"]
    index_view_class = PoolIndexView
    edit_view_class = PoolEditView
    inspect_view_class = PoolMemberView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        TitleColumn(
            "name",
            label=gettext_lazy("name"),
            accessor="__str__",
            get_url=lambda m: reverse("pool:inspect", args=[m.pk]),
        ),
        Column("branch", label=gettext_lazy("branch"), accessor="branch.name", sort_key="branch__sort_order"),
        Column("cohort", label=gettext_lazy("cohort"), accessor="enrollment.cohort"),
        Column(
            "status", label=pgettext_lazy("pool member", "status"), accessor="get_status_display", sort_key="status"
        ),
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
            accessor=lambda m: _person(m.released_by) if m.released_by else _("Daily release (automatic)"),
        ),
    ]

    def get_urlpatterns(self):
        kept = ("index", "index_results", "inspect", "edit", "history", "history_results", "usage")
        return [
            *(p for p in super().get_urlpatterns() if p.name in kept),
            path("release/", cohort_release_to_pool, name="release"),
            path("<int:pk>/take-leave/", member_take_leave, name="take_leave"),
            path("<int:pk>/return/", member_return, name="return"),
            path("<int:pk>/leave/", member_leave, name="leave"),
        ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**{"add_url_name": None, "delete_url_name": None, **kwargs})


@require_POST
@permission_required("assignments.change_poolmember", raise_exception=True)
def cohort_release_to_pool(request: HttpRequest) -> HttpResponse:
    """Release the graduates of a cohort now, before the daily job would at the start of month 4."""
    form = ReleaseForm(request.POST)
    if form.is_valid():
        released = services.cohort_release_to_pool(cohort=form.cleaned_data["cohort"], actor=request.user)
        messages.success(request, _("%(count)s graduates joined the pool.") % {"count": released})
    else:
        messages.error(request, " ".join(form.errors["cohort"]))
    return redirect("pool:index")
