"""Admin screens of curriculum: curricula with their modules, and cohorts."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from curriculum.admin_views import CohortViewSet
from curriculum.models import Curriculum


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
