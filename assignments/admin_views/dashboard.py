"""The branch dashboard: how the branch's consultants look after the customers given to them.

A branch manager sees her own branch; HR every branch, or one chosen from the list. The
figures are `assignments.figures.branch_figures`; the page holds a constant number of
queries whatever the size of the branch (a test pins it).
"""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from assignments.figures import branch_figures
from recruiting.models import Branch, staff_branch_id

ALL_BRANCHES = ""


class BranchChoiceForm(forms.Form):
    """HR's choice of the branch to look at; every branch when none is chosen."""

    branch = forms.TypedChoiceField(label=gettext_lazy("Branch"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [
            (ALL_BRANCHES, _("All branches")),
            *((branch.pk, str(branch)) for branch in Branch.objects.all()),
        ]


def _branch_for(request: HttpRequest) -> tuple[Branch | None, BranchChoiceForm | None]:
    """Return the branch `request.user` looks at (None for every branch) and HR's choice form.

    A branch manager always sees her own branch, whatever the address asks; HR asking for
    a branch that does not exist gets 404, as for any object that is not there.
    """
    user = request.user
    if not user.has_perm("recruiting.view_all_branches"):
        branch = Branch.objects.filter(pk=staff_branch_id(user)).first()
        if branch is None:
            raise Http404
        return branch, None
    form = BranchChoiceForm(request.GET)
    if not form.is_valid():
        raise Http404
    chosen = form.cleaned_data["branch"]
    branch = Branch.objects.filter(pk=chosen).first() if chosen is not None else None
    if chosen is not None and branch is None:
        raise Http404
    return branch, form


@require_GET
@permission_required("assignments.view_customer", raise_exception=True)
def branch_dashboard(request: HttpRequest) -> HttpResponse:
    """Show the first contacts, contact rates, offered-back customers and complaints, per consultant and branch."""
    branch, form = _branch_for(request)
    figures = branch_figures(branch, today=timezone.localdate())
    return TemplateResponse(
        request,
        "assignments/dashboard/branch.html",
        {
            "page_title": _("Branch dashboard"),
            "header_icon": "table",
            "figures": figures,
            "form": form,
            "branch_name": str(branch) if branch else _("All branches"),
            "can_plan": request.user.has_perm("assignments.plan_assignmentrun"),
        },
    )


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("assignments.view_customer")


class BranchDashboardViewSet(ViewSet):
    name = "branch_dashboard"
    url_prefix = "branch-dashboard"
    icon = "table"
    menu_label = gettext_lazy("Branch dashboard")
    menu_item_class = DashboardMenuItem

    def get_urlpatterns(self):
        return [path("", branch_dashboard, name="index")]
