"""Admin screens of recruiting: applicants, rounds, branches, staff branches, access records and consent notices."""

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from core.viewsets import ReadOnlyModelViewSet
from recruiting.admin_views import ApplicantViewSet, FunnelPanel, SlotViewSet
from recruiting.models import AccessRecord, Branch, ConsentNotice, District, RecruitmentRound, StaffProfile


class BranchViewSet(ModelViewSet):
    model = Branch
    icon = "home"
    menu_label = _("Branches")
    list_display = ["name", "address", "phone", "sort_order"]
    form_fields = ["name", "slug", "address", "phone", "sort_order"]
    search_fields = ["name", "address"]
    copy_view_enabled = False


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
    copy_view_enabled = False


class RoundViewSet(ModelViewSet):
    model = RecruitmentRound
    icon = "date"
    menu_label = _("Recruitment rounds")
    list_display = ["title", "opens_on", "closes_on", "cohort_starts_on", "capacity", "is_closed"]
    list_filter = ["is_closed"]
    form_fields = ["title", "branches", "opens_on", "closes_on", "cohort_starts_on", "capacity", "is_closed"]
    search_fields = ["title"]


class StaffProfileViewSet(ModelViewSet):
    model = StaffProfile
    icon = "user"
    menu_label = _("Staff branches")
    url_prefix = "staff-branches"
    copy_view_enabled = False
    list_display = ["user", "branch"]
    list_filter = ["branch"]
    form_fields = ["user", "branch"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    search_backend_name = None
    inspect_view_enabled = False


class AccessRecordViewSet(ReadOnlyModelViewSet):
    """The access log: nobody adds, edits or deletes a record by hand."""

    model = AccessRecord
    icon = "view"
    menu_label = _("Access records")
    url_prefix = "access-records"
    list_display = ["created_at", "username", "action", "applicant", "reason", "row_count"]
    list_filter = ["action", "reason"]
    search_fields = ["username"]
    search_backend_name = None
    list_per_page = 50


class RecruitingGroup(ModelViewSetGroup):
    menu_label = _("Recruiting")
    menu_icon = "group"
    menu_order = 300
    items = [
        ApplicantViewSet("applicants"),
        SlotViewSet("slots"),
        RoundViewSet("rounds"),
        BranchViewSet("branches"),
        DistrictViewSet("districts"),
        StaffProfileViewSet("staff_branches"),
        AccessRecordViewSet("access_records"),
    ]


@hooks.register("register_admin_viewset")
def register_recruiting_admin():
    return RecruitingGroup()


@hooks.register("insert_global_admin_css")
def recruiting_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin.css"))


@hooks.register("construct_homepage_panels")
def add_funnel_panel(request, panels):
    if request.user.has_perm("recruiting.view_applicant"):
        panels.append(FunnelPanel(request.user))


class ConsentNoticeViewSet(SnippetViewSet):
    model = ConsentNotice
    icon = "doc-full"
    menu_label = _("Consent notices")
    add_to_admin_menu = True
    menu_order = 250
    list_display = ["title", "is_required", "version", "is_active"]


register_snippet(ConsentNoticeViewSet)
