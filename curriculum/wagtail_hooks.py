"""Admin screens of curriculum: curricula with their modules, and cohorts."""

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from curriculum.admin_views import CohortViewSet
from curriculum.models import Attendance, Cohort, CohortStatus, Curriculum, EnrollmentStatus
from curriculum.progress import cohort_progress
from curriculum.services import meeting_days


class CurriculumViewSet(ModelViewSet):
    model = Curriculum
    icon = "list-ol"
    menu_label = _("Curricula")
    list_display = ["name", "weeks"]
    search_fields = ["name"]
    search_backend_name = None
    inspect_view_enabled = False
    copy_view_enabled = False


class TrainingGroup(ModelViewSetGroup):
    menu_label = _("Training")
    menu_icon = "pick"
    menu_order = 310
    items = [CohortViewSet("cohorts"), CurriculumViewSet("curricula")]


@hooks.register("register_admin_viewset")
def register_training_admin():
    return TrainingGroup()


class TrainerTodayPanel(Component):
    """The trainer's admin home: each cohort they train, today's morning meeting, and who needs attention.

    One query for the cohorts and one for today's attendance, then the four of
    `cohort_progress` per cohort: the count follows the trainer's cohorts (one or two),
    never the number of trainees.
    """

    name = "trainer_today"
    order = 40
    template_name = "curriculum/admin/trainer_today_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        today = timezone.localdate()
        cohorts = list(
            Cohort.objects.filter(trainers=self.user)
            .exclude(status=CohortStatus.COMPLETED)
            .select_related("branch", "curriculum")
            .order_by("starts_on", "number")
        )
        taken = {}
        if cohorts:
            taken = dict(
                Attendance.objects.filter(
                    enrollment__cohort__in=cohorts, enrollment__status=EnrollmentStatus.ACTIVE, day=today
                )
                .values_list("enrollment__cohort")
                .annotate(Count("pk"))
            )
        items = []
        for cohort in cohorts:
            days = meeting_days(cohort)
            _modules, trainees = cohort_progress(cohort, today=today)
            in_training = [trainee for trainee in trainees if trainee.enrollment.status == EnrollmentStatus.ACTIVE]
            items.append(
                {
                    "cohort": cohort,
                    "meets_today": today in days,
                    "next_meeting": next((day for day in days if day > today), None),
                    "taken": taken.get(cohort.pk, 0),
                    "in_training": len(in_training),
                    "at_risk": sum(1 for trainee in in_training if trainee.at_risk),
                }
            )
        return {"today": today, "cohorts": items}


@hooks.register("construct_homepage_panels")
def add_trainer_today_panel(request, panels):
    # A superuser holds every permission but trains nobody; the panel is for trainers.
    if request.user.has_perm("curriculum.mark_cohort") and not request.user.is_superuser:
        panels.append(TrainerTodayPanel(request.user))
