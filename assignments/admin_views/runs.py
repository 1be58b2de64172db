"""The assignment-run screens: the plans a person may see with a form for a new one; a plan's
preview (figures, each consultant before and after, each customer who moves, is new or stays
unassigned, and why) with the steps open to it; and the month-end orphan risk of the book.

Every run is read through `AssignmentRun.objects.visible_to(user)`, so a branch manager
opening another branch's plan gets 404; a role without the permission gets 403, checked
before the lookup. The steps themselves are `assignments.services.runs`: a refused step
(`RunError`) comes back as its message on the plan's page. Each page holds a constant
number of queries, whatever the size of the book (the tests pin them).
"""

from collections.abc import Callable
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Avg, Count, F, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from assignments import services
from assignments.admin_views.dashboard import BranchDashboardViewSet
from assignments.errors import RunError
from assignments.geography import SIGUNGU
from assignments.models import (
    AssignmentRun,
    AssignmentRunEvent,
    Customer,
    PlacementReason,
    PoolMember,
    PoolMemberStatus,
    RunStatus,
)
from assignments.models.book import CustomerAccessReason, CustomerAccessRecord, month_end
from assignments.models.notices import CustomerLetterBatch
from assignments.services.book import customer_access_record_write
from assignments.services.notices import customer_notice_figures
from core.validators import reject_rrn
from curriculum.certificates.storage import private_pdf_response
from recruiting.models import Branch, staff_branch_id

# HR sends failed notices again, from the list of unsent messages (cms.unsent_emails).
HR_PERMISSION = "recruiting.view_all_branches"
RUNS_PER_PAGE = 20
ROWS_PER_PAGE = 50
REASON_MAX_LENGTH = 500
ALL_BRANCHES = "all"


def _runs_for(user):
    if not user.has_perm("assignments.view_assignmentrun"):
        raise PermissionDenied
    return AssignmentRun.objects.visible_to(user).select_related("branch", "requested_by")


def _get_run_for_user(request: HttpRequest, pk: int) -> AssignmentRun:
    """Return the run if `request.user` may see it; 404 otherwise, as if it did not exist."""
    return get_object_or_404(_runs_for(request.user), pk=pk)


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def _won(amount: int | None) -> str:
    return _("%(amount)s won") % {"amount": f"{amount or 0:,}"}


def _km(distance: float | None) -> str:
    if distance is None:
        return "—"
    # Customers in her own district are 0 km away; "0.0 km" would look like a rounding error.
    return _("%(km)s km") % {"km": f"{distance:,.1f}" if distance >= 0.05 else "0"}


def _applying(run: AssignmentRun) -> bool:
    return run.status == RunStatus.APPROVED and run.apply_requested_at is not None


class RunStartForm(forms.Form):
    """HR's choice of the branch a new plan covers, or every branch; nothing is preselected."""

    branch = forms.ChoiceField(
        label=gettext_lazy("Branch"),
        error_messages={
            "required": gettext_lazy("Choose a branch or all branches; no plan was started."),
            "invalid_choice": gettext_lazy("That branch does not exist; no plan was started."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [
            ("", _("Choose a branch")),
            (ALL_BRANCHES, _("All branches")),
            *((str(branch.pk), branch.name) for branch in Branch.objects.all()),
        ]

    def chosen_branch(self) -> Branch | None:
        value = self.cleaned_data["branch"]
        return None if value == ALL_BRANCHES else Branch.objects.get(pk=value)


class StepReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_rrn],
        error_messages={
            "required": gettext_lazy("Give the reason; nothing was changed."),
            "max_length": gettext_lazy("Keep the reason to %(limit_value)d characters; nothing was changed."),
        },
    )

    def __init__(self, *args, reason_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        if not reason_required:
            self.fields["reason"].label = _("Note (optional)")


@require_GET
def run_index(request: HttpRequest) -> HttpResponse:
    """List the plans the user may see, newest first, with the form for a new plan."""
    runs = _runs_for(request.user)
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("p"))
    user = request.user
    can_plan = user.has_perm("assignments.plan_assignmentrun")
    is_hr = user.has_perm("recruiting.view_all_branches")
    own_branch = None
    if can_plan and not is_hr:
        own_branch = Branch.objects.filter(pk=staff_branch_id(user)).first()
    return TemplateResponse(
        request,
        "assignments/runs/index.html",
        {
            "page_title": _("Assignment plans"),
            "header_icon": "list-ul",
            "runs": [_run_row(run) for run in page],
            "page_obj": page,
            "start_form": RunStartForm() if can_plan and is_hr else None,
            "own_branch": own_branch,
            "can_plan": can_plan and (is_hr or own_branch is not None),
        },
    )


def _run_row(run: AssignmentRun) -> dict:
    figures = run.figures or {}
    return {
        "run": run,
        "branch": run.branch.name if run.branch else _("All branches"),
        "requested_by": _person(run.requested_by) if run.requested_by else _("Automatic"),
        "applying": _applying(run),
        "has_figures": bool(figures),
        "new": figures.get("new", 0),
        "moved": figures.get("moved", 0),
        "unassigned": sum(figures.get("unassigned_by_reason", {}).values()),
    }


@require_POST
@permission_required("assignments.plan_assignmentrun", raise_exception=True)
def run_start(request: HttpRequest) -> HttpResponse:
    """Start a plan over the chosen branch (HR) or the branch manager's own, and open its page."""
    if request.user.has_perm("recruiting.view_all_branches"):
        form = RunStartForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["branch"]))
            return redirect("assignment_runs:index")
        branch = form.chosen_branch()
    else:
        # A branch manager plans her own branch, whatever the request names.
        branch = Branch.objects.filter(pk=staff_branch_id(request.user)).first()
    try:
        run = services.assignment_run_start(actor=request.user, branch=branch)
    except RunError as error:
        messages.error(request, str(error))
        return redirect("assignment_runs:index")
    messages.success(request, _("The plan is being computed; this page shows it when it is ready."))
    return redirect("assignment_runs:run", pk=run.pk)


SHOWN = {
    "moved": Q(from_consultant__isnull=False, to_consultant__isnull=False)
    & (Q(from_consultant__lt=F("to_consultant")) | Q(from_consultant__gt=F("to_consultant"))),
    "new": Q(from_consultant__isnull=True, to_consultant__isnull=False),
    "unassigned": Q(to_consultant__isnull=True),
}
# Everyone whose consultant the plan changes, or who has none after it (not `exclude(from=F(to))`,
# whose negation Django writes differently around nulls).
SHOWN["all"] = SHOWN["moved"] | SHOWN["new"] | SHOWN["unassigned"]


@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a plan: while it is computed, that it is; then its figures, consultants, customers and steps."""
    run = _get_run_for_user(request, pk)
    user = request.user
    applying = _applying(run)
    context = {
        "page_title": str(run),
        "page_subtitle": run.branch.name if run.branch else _("All branches"),
        "header_icon": "list-ul",
        "run": run,
        "row": _run_row(run),
        "applying": applying,
        "poll": run.status == RunStatus.PLANNING or applying,
        "history": [_history_row(event) for event in run.events.select_related("actor")],
    }
    if not run.figures:
        # Still being computed, or failed: the page says so, and there is nothing to preview.
        return TemplateResponse(request, "assignments/runs/run.html", context)
    can_approve = user.has_perm("assignments.approve_assignmentrun")
    can_plan = user.has_perm("assignments.plan_assignmentrun")
    shown = request.GET.get("show") if request.GET.get("show") in SHOWN else "all"
    rows = (
        run.assignments.filter(SHOWN[shown])
        .select_related(
            "customer",
            "from_consultant__enrollment__applicant",
            "to_consultant__enrollment__applicant",
        )
        .order_by("customer__number")
    )
    figures = _figures(run)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("p"))
    for assignment in page:
        assignment.district = _district(assignment.customer.sigungu)
    context.update(
        figures=figures,
        consultants=_consultant_rows(run),
        shown=shown,
        tabs=_tabs(figures),
        page_obj=page,
        can_approve=can_approve and run.status == RunStatus.PLANNED,
        can_apply=can_approve and run.status == RunStatus.APPROVED and not applying,
        can_undo=can_approve and run.status == RunStatus.APPLIED,
        can_discard=can_plan and run.status in (RunStatus.PLANNED, RunStatus.APPROVED) and not applying,
    )
    if run.status in (RunStatus.APPLIED, RunStatus.UNDONE):
        context.update(
            notices=customer_notice_figures(run),
            letter_batches=list(run.letter_batches.order_by("number")),
            can_resend=user.has_perm(HR_PERMISSION),
        )
    return TemplateResponse(request, "assignments/runs/run.html", context)


def _history_row(event: AssignmentRunEvent) -> dict:
    return {
        "event": event,
        "actor": _person(event.actor) if event.actor else _("Automatic"),
        "from": RunStatus(event.from_status).label if event.from_status else "",
        "to": RunStatus(event.to_status).label,
    }


def _district(code: str) -> str:
    unit = SIGUNGU.get(code)
    return unit.label if unit else "—"


def _figures(run: AssignmentRun) -> dict:
    """Return the plan's headline figures as the page shows them (read from the run, no query)."""
    figures = run.figures or {}
    by_reason = figures.get("unassigned_by_reason", {})
    unassigned = [{"label": PlacementReason(code).label, "count": count} for code, count in by_reason.items()]
    assigned = figures.get("assigned", 0)
    return {
        "new": figures.get("new", 0),
        "moved": figures.get("moved", 0),
        "kept": max(0, assigned - figures.get("new", 0) - figures.get("moved", 0)),
        "assigned": assigned,
        "unassigned": sum(by_reason.values()),
        "unassigned_by_reason": unassigned,
        "total_distance": _km(figures.get("total_distance_km")),
        "load_cv": f"{figures.get('load_cv', 0):.2f}",
        "premium_cv": f"{figures.get('premium_cv', 0):.2f}",
        "applied_changes": figures.get("applied_changes"),
        "undone_changes": figures.get("undone_changes"),
    }


def _tabs(figures: dict) -> list[dict]:
    return [
        {"key": "all", "label": _("All changes"), "count": figures["new"] + figures["moved"] + figures["unassigned"]},
        {"key": "new", "label": _("Newly assigned"), "count": figures["new"]},
        {"key": "moved", "label": _("Moved"), "count": figures["moved"]},
        {"key": "unassigned", "label": _("Unassigned"), "count": figures["unassigned"]},
    ]


def _consultant_rows(run: AssignmentRun) -> list[dict]:
    """Return each consultant of the plan with her customers before and after it, in three queries."""
    rows = run.assignments.order_by()
    after = {
        row["to_consultant"]: row
        for row in rows.filter(to_consultant__isnull=False)
        .values("to_consultant")
        .annotate(
            count=Count("pk"),
            premium=Sum("customer__premium"),
            distance=Avg("distance_km"),
            capacity=Max("capacity"),
        )
    }
    before = dict(rows.filter(from_consultant__isnull=False).values_list("from_consultant").annotate(count=Count("pk")))
    members = PoolMember.objects.filter(pk__in=after.keys() | before.keys()).select_related(
        "branch", "enrollment__applicant"
    )
    result = []
    for member in sorted(members, key=lambda m: (m.branch.sort_order, m.branch.name, str(m), m.pk)):
        planned = after.get(member.pk, {})
        count, capacity = planned.get("count", 0), planned.get("capacity")
        result.append(
            {
                "member": member,
                "before": before.get(member.pk, 0),
                "after": count,
                "capacity": capacity,
                "percent": min(100, round(100 * count / capacity)) if capacity else 0,
                "premium": _won(planned.get("premium")),
                "distance": _km(planned.get("distance")),
                "away": member.status != PoolMemberStatus.ACTIVE,
            }
        )
    return result


@require_GET
def run_letters(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Send the PDF of a batch of the plan's letters to its customers without a mobile, and record who took it.

    The letters hold the customers' names and addresses: taking them is an export of the
    customer book, recorded like one (the reason is what the letters are for).
    """
    run = _get_run_for_user(request, pk)
    letters = get_object_or_404(CustomerLetterBatch.objects.exclude(pdf=""), run=run, number=number)
    customer_access_record_write(
        user=request.user,
        action=CustomerAccessRecord.Action.EXPORT,
        reason=CustomerAccessReason.CONTACT,
        filters={"letters_of_plan": run.pk, "batch": number},
        row_count=letters.letters,
    )
    filename = _("customer-letters-plan-%(run)s-%(number)s.pdf") % {"run": run.pk, "number": number}
    return private_pdf_response(letters.pdf, filename=filename, as_attachment=True)


@require_GET
def run_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Answer the run page's poll: the state it shows, which changes when the worker is done."""
    run = _get_run_for_user(request, pk)
    state = "applying" if _applying(run) else run.status
    return JsonResponse({"state": state, "status": run.get_status_display()})


@require_POST
@permission_required("assignments.approve_assignmentrun", raise_exception=True)
def run_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a plan ready for review; applying it is the next, separate step."""
    run = _get_run_for_user(request, pk)
    try:
        services.assignment_run_approve(run=run, actor=request.user)
    except RunError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Approved. Nothing has changed yet: apply the plan to give the customers their consultants.")
        )
    return redirect("assignment_runs:run", pk=run.pk)


@require_POST
@permission_required("assignments.approve_assignmentrun", raise_exception=True)
def run_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the applying of an approved plan in the worker; the plan's page shows when it is done."""
    run = _get_run_for_user(request, pk)
    try:
        queued = services.assignment_run_apply_request(run=run, actor=request.user)
    except RunError as error:
        messages.error(request, str(error))
    else:
        if queued:
            messages.success(
                request, _("The plan is being applied in the background; this page shows when it is done.")
            )
        else:
            messages.info(request, _("The plan is already being applied."))
    return redirect("assignment_runs:run", pk=run.pk)


@require_http_methods(["GET", "POST"])
@permission_required("assignments.approve_assignmentrun", raise_exception=True)
def run_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a reason and confirmation (GET), then give the customers back their consultants (POST)."""
    run = _get_run_for_user(request, pk)
    return _confirm_step(
        request,
        run,
        allowed=run.status == RunStatus.APPLIED,
        refusal=_("Only an applied plan can be undone."),
        reason_required=True,
        question=_("Undo %(run)s?"),
        label=_("Undo the plan"),
        effects=[
            ngettext(
                "%(count)s customer gets back the consultant she had before this plan.",
                "%(count)s customers get back the consultant they had before this plan.",
                run.figures.get("applied_changes", 0),
            )
            % {"count": run.figures.get("applied_changes", 0)},
            _("It is refused if a later plan or change has touched these customers since; nothing is then changed."),
            _("An undone plan cannot be applied again; make a new plan instead."),
            _(
                "Customers already told of their new consultant are not told otherwise; the notices not sent yet "
                "are not sent."
            ),
        ],
        service=lambda reason: services.assignment_run_undo(run=run, actor=request.user, reason=reason),
        done=_("The plan is undone: the customers have their consultants from before it."),
    )


@require_http_methods(["GET", "POST"])
@permission_required("assignments.plan_assignmentrun", raise_exception=True)
def run_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for confirmation (GET), then set the plan aside unapplied (POST)."""
    run = _get_run_for_user(request, pk)
    return _confirm_step(
        request,
        run,
        allowed=run.status in (RunStatus.PLANNED, RunStatus.APPROVED) and not _applying(run),
        refusal=_("Only a plan that is ready for review or approved, and not being applied, can be discarded."),
        reason_required=False,
        question=_("Discard %(run)s?"),
        label=_("Discard the plan"),
        effects=[
            _("No customer changes consultant: the plan is never applied."),
            _("It stays in the list as discarded, and cannot be approved or applied again."),
        ],
        service=lambda reason: services.assignment_run_discard(run=run, actor=request.user, reason=reason),
        done=_("The plan is discarded."),
    )


def _confirm_step(
    request: HttpRequest,
    run: AssignmentRun,
    *,
    allowed: bool,
    refusal: str,
    reason_required: bool,
    question: str,
    label: str,
    effects: list[str],
    service: Callable[[str], AssignmentRun],
    done: str,
) -> HttpResponse:
    """Show a step's confirmation (GET) or take it through its service (POST); nothing changes before the POST."""
    run_url = reverse("assignment_runs:run", args=[run.pk])
    if request.method == "POST":
        form = StepReasonForm(request.POST, reason_required=reason_required)
        if form.is_valid():
            try:
                service(form.cleaned_data["reason"])
            except RunError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, done)
            return redirect(run_url)
    elif not allowed:
        messages.error(request, refusal)
        return redirect(run_url)
    else:
        form = StepReasonForm(reason_required=reason_required)
    return TemplateResponse(
        request,
        "assignments/runs/confirm.html",
        {
            "page_title": label,
            "page_subtitle": str(run),
            "header_icon": "warning",
            "run": run,
            "row": _run_row(run),
            "question": question % {"run": run},
            "label": label,
            "effects": effects,
            "form": form,
            "run_url": run_url,
            "action_url": request.path,
        },
    )


@require_GET
@permission_required("assignments.view_customer", raise_exception=True)
def orphan_risk(request: HttpRequest) -> HttpResponse:
    """List the customers without an active consultant by the month-end they must have one, soonest first."""
    today = timezone.localdate()
    month_start = today.replace(day=1)
    at_risk = (
        Customer.objects.visible_to(request.user)
        .in_book()
        .filter(Q(consultant__isnull=True) | ~Q(consultant__status=PoolMemberStatus.ACTIVE))
    )
    branches = list(
        at_risk.order_by()
        .values("branch__name", "branch__sort_order")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=Q(orphaned_on__lt=month_start)),
            this_month=Count("pk", filter=Q(orphaned_on__gte=month_start, orphaned_on__lte=month_end(today))),
        )
        .order_by(F("branch__sort_order").asc(nulls_last=True), "branch__name")
    )
    per_deadline = {
        month_end(row["month"]): row["count"]
        for row in at_risk.order_by().values(month=TruncMonth("orphaned_on")).annotate(count=Count("pk"))
    }
    customers = at_risk.select_related("branch", "consultant__enrollment__applicant").order_by("orphaned_on", "number")
    page = Paginator(customers, ROWS_PER_PAGE).get_page(request.GET.get("p"))
    groups: list[dict] = []
    for customer in page:
        deadline = customer.orphan_deadline
        if not groups or groups[-1]["deadline"] != deadline:
            groups.append(
                {
                    "deadline": deadline,
                    "days_left": _days_left(deadline, today),
                    "overdue": deadline < today,
                    "count": per_deadline.get(deadline, 0),
                    "customers": [],
                }
            )
        groups[-1]["customers"].append(
            {
                "customer": customer,
                "district": _district(customer.sigungu),
                "consultant": _consultant_note(customer),
            }
        )
    return TemplateResponse(
        request,
        "assignments/runs/orphan_risk.html",
        {
            "page_title": _("Month-end orphan risk"),
            "header_icon": "warning",
            "today": today,
            "branches": [
                {**row, "branch": row["branch__name"] or _("No branch (address unknown)")} for row in branches
            ],
            "total": sum(row["total"] for row in branches),
            "groups": groups,
            "page_obj": page,
            "can_plan": request.user.has_perm("assignments.plan_assignmentrun"),
        },
    )


def _days_left(deadline: date, today: date) -> str:
    days = (deadline - today).days
    if days > 0:
        return ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}
    if days == 0:
        return _("Due today")
    return ngettext("%(days)s day overdue", "%(days)s days overdue", -days) % {"days": -days}


def _consultant_note(customer: Customer) -> str:
    if customer.consultant is None:
        return _("None")
    return _("%(name)s (%(status)s)") % {
        "name": customer.consultant,
        "status": customer.consultant.get_status_display(),
    }


class RunsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("assignments.view_assignmentrun")


class OrphanRiskMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("assignments.view_customer")


class AssignmentRunViewSet(ViewSet):
    name = "assignment_runs"
    url_prefix = "assignment-runs"
    icon = "list-ul"
    menu_label = gettext_lazy("Assignment plans")
    menu_item_class = RunsMenuItem

    def get_urlpatterns(self):
        return [
            path("", run_index, name="index"),
            path("new/", run_start, name="start"),
            path("<int:pk>/", run_detail, name="run"),
            path("<int:pk>/status/", run_status, name="status"),
            path("<int:pk>/letters/<int:number>/", run_letters, name="letters"),
            path("<int:pk>/approve/", run_approve, name="approve"),
            path("<int:pk>/apply/", run_apply, name="apply"),
            path("<int:pk>/undo/", run_undo, name="undo"),
            path("<int:pk>/discard/", run_discard, name="discard"),
        ]


class OrphanRiskViewSet(ViewSet):
    name = "orphan_risk"
    url_prefix = "orphan-risk"
    icon = "warning"
    menu_label = gettext_lazy("Month-end orphan risk")
    menu_item_class = OrphanRiskMenuItem

    def get_urlpatterns(self):
        return [path("", orphan_risk, name="index")]


class CustomerAssignmentGroup(ViewSetGroup):
    menu_label = gettext_lazy("Customer assignment")
    menu_icon = "group"
    menu_order = 340
    items = [AssignmentRunViewSet, OrphanRiskViewSet, BranchDashboardViewSet]
