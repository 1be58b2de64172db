"""Training screens in the Wagtail admin: cohorts and enrolment (the tracker screens build on these).

Cohorts are read through `Cohort.objects.visible_to(user)`: HR sees all, a trainer the
cohorts they train, a branch manager their branch's; anything else answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.forms import modelform_factory
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from curriculum import services
from curriculum.models import Cohort
from recruiting.models import Applicant, ApplicantStatus


def _cohorts_for(user):
    """Return the cohorts `user` may see; a role with no training screens is refused (403)."""
    if not (user.has_perm("curriculum.view_cohort") or user.has_perm("curriculum.mark_cohort")):
        raise PermissionDenied
    return Cohort.objects.visible_to(user).select_related("branch", "curriculum", "round")


def _get_cohort_for_user(request: HttpRequest, pk: int) -> Cohort:
    return get_object_or_404(_cohorts_for(request.user), pk=pk)


class CohortForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainers"].queryset = (
            self.fields["trainers"].queryset.filter(groups__permissions__codename="mark_cohort").distinct()
        )


class CohortIndexView(IndexView):
    def get_base_queryset(self):
        return _cohorts_for(self.request.user)


class CohortViewSet(ModelViewSet):
    model = Cohort
    icon = "group"
    menu_label = gettext_lazy("Cohorts")
    form_fields = ["number", "branch", "curriculum", "round", "starts_on", "capacity", "trainers", "status"]
    list_display = ["__str__", "starts_on", "ends_on", "capacity", "status"]
    list_filter = ["status", "branch"]
    index_view_class = CohortIndexView
    inspect_view_enabled = False
    copy_view_enabled = False
    edit_template_name = "curriculum/admin/cohort_edit.html"

    def get_form_class(self, for_update=False):
        return modelform_factory(
            self.model, form=CohortForm, fields=self.form_fields, formfield_callback=self.formfield_for_dbfield
        )

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("<int:pk>/enrol/", cohort_enrol, name="enrol")]


@require_POST
@permission_required("curriculum.change_cohort", raise_exception=True)
def cohort_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol the accepted applicants of the cohort's round and branch (all, or the one posted)."""
    cohort = _get_cohort_for_user(request, pk)
    applicant_id = request.POST.get("applicant")
    if applicant_id:
        applicant = get_object_or_404(
            Applicant.objects.filter(status=ApplicantStatus.ACCEPTED), pk=applicant_id if applicant_id.isdigit() else 0
        )
        try:
            services.enrollment_enrol(cohort=cohort, applicant=applicant, actor=request.user)
        except services.TrainingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(name)s joined the cohort.") % {"name": applicant.name})
    else:
        joined, problems = services.cohort_enrol_accepted(cohort=cohort, actor=request.user)
        messages.success(request, _("%(count)s accepted applicants joined the cohort.") % {"count": joined})
        for problem in problems:
            messages.warning(request, problem)
    return redirect("cohorts:edit", pk=cohort.pk)
