"""Admin screens of recruiting: rounds, branches and the districts each serves."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from recruiting.models import Branch, District, RecruitmentRound


class BranchViewSet(ModelViewSet):
    model = Branch
    icon = "home"
    menu_label = _("Branches")
    list_display = ["name", "address", "phone", "sort_order"]
    form_fields = ["name", "slug", "address", "phone", "sort_order"]
    search_fields = ["name", "address"]


class DistrictViewSet(ModelViewSet):
    model = District
    icon = "site"
    menu_label = _("Districts")
    list_display = ["name", "province", "branch"]
    list_filter = ["province", "branch"]
    form_fields = ["branch"]
    search_fields = ["name"]
    add_to_admin_menu = False
    inspect_view_enabled = False


class RoundViewSet(ModelViewSet):
    model = RecruitmentRound
    icon = "date"
    menu_label = _("Recruitment rounds")
    list_display = ["title", "opens_on", "closes_on", "cohort_starts_on", "capacity", "is_closed"]
    list_filter = ["is_closed"]
    form_fields = ["title", "branches", "opens_on", "closes_on", "cohort_starts_on", "capacity", "is_closed"]
    search_fields = ["title"]


class RecruitingGroup(ModelViewSetGroup):
    menu_label = _("Recruiting")
    menu_icon = "group"
    menu_order = 300
    items = [RoundViewSet("rounds"), BranchViewSet("branches"), DistrictViewSet("districts")]


@hooks.register("register_admin_viewset")
def register_branch_admin():
    return RecruitingGroup()
