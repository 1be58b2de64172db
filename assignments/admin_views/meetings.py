"""The working consultants' morning meeting (아침 조회) at their branch, taken on the trainers' sheet.

The page is the cohort's attendance sheet (the same template partial, the same taps):
everyone present by default, one tap per exception, a reason to change a day that has
passed. Its rows are the branch's consultants who have not left the pool; one on leave is
on the sheet as such, excused unless someone taps otherwise.

Who takes it (`core.roles.MEETING_PERMISSION`): a trainer at the branches of the cohorts she
trains that have not finished, a branch manager at her branch, HR at every branch. Another
branch answers 404; a role without the permission gets 403, checked before the lookup.
Each page holds a constant number of queries, whatever the number of consultants.
"""

from datetime import date, timedelta

import holidays
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from assignments.errors import PoolError
from assignments.models import ConsultantAttendance, PoolMember, PoolMemberStatus
from assignments.selectors import korean_business_day
from assignments.services import consultant_attendance_save
from assignments.services.meetings import meeting_default_status, meeting_members
from core.roles import MEETING_PERMISSION
from curriculum.models import AttendanceStatus, Cohort, CohortStatus
from recruiting.models import Branch, staff_branch_id


def _branches_for(user) -> QuerySet[Branch]:
    """Return the branches whose meeting `user` may take; a role without the permission is refused (403)."""
    if not user.has_perm(MEETING_PERMISSION):
        raise PermissionDenied
    if user.has_perm("recruiting.view_all_branches"):
        return Branch.objects.all()
    # The trainer's scope is the one of her admin home: the cohorts she trains that have not finished.
    scope = Q(pk__in=Cohort.objects.filter(trainers=user).exclude(status=CohortStatus.COMPLETED).values("branch"))
    if branch_id := staff_branch_id(user):
        scope |= Q(pk=branch_id)
    return Branch.objects.filter(scope)


def _get_branch_for_user(request: HttpRequest, pk: int) -> Branch:
    """Return the branch if `request.user` may take its meeting; 404 otherwise, as if it did not exist."""
    return get_object_or_404(_branches_for(request.user), pk=pk)


def _latest_meeting_day(today: date, korean_holidays: holidays.HolidayBase) -> date:
    """Return the latest business day up to today: today, or the last one before a weekend or holiday."""
    day = today
    while not korean_business_day(day, korean_holidays):
        day -= timedelta(days=1)
    return day


def _step(day: date, direction: int, korean_holidays: holidays.HolidayBase) -> date:
    """Return the next business day after `day` (direction 1) or the one before it (-1)."""
    day += timedelta(days=direction)
    while not korean_business_day(day, korean_holidays):
        day += timedelta(days=direction)
    return day


@require_GET
def meeting_index(request: HttpRequest) -> HttpResponse:
    """List the branches whose meeting the user takes; with one only, open its sheet."""
    today = timezone.localdate()
    branches = list(
        _branches_for(request.user).annotate(working=Count("pool", filter=~Q(pool__status=PoolMemberStatus.LEFT)))
    )
    if len(branches) == 1:
        return redirect("consultant_attendance:branch", pk=branches[0].pk)
    recorded_today = dict(
        ConsultantAttendance.objects.filter(day=today, member__branch__in=branches)
        .exclude(member__status=PoolMemberStatus.LEFT)
        .order_by()
        .values_list("member__branch")
        .annotate(Count("pk"))
    )
    for branch in branches:
        branch.recorded_today = recorded_today.get(branch.pk, 0)
    return TemplateResponse(
        request,
        "assignments/meetings/index.html",
        {
            "page_title": _("Consultants' morning meeting"),
            "header_icon": "calendar-check",
            "branches": branches,
            "today": today,
            "meets_today": korean_business_day(today),
        },
    )


@require_GET
def meeting_branch(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the branch's sheet of the latest meeting day: today, or the last business day before it."""
    branch = _get_branch_for_user(request, pk)
    day = _latest_meeting_day(timezone.localdate(), holidays.country_holidays("KR"))
    return redirect("consultant_attendance:day", pk=branch.pk, day=day.isoformat())


@require_http_methods(["GET", "POST"])
def meeting_sheet(request: HttpRequest, pk: int, day: str) -> HttpResponse:
    """Take the branch's morning meeting of one day for its working consultants.

    Only business days from the first release into the branch's pool up to today can be
    taken, and the latest in any case; a future one sends to the latest with a message; a
    weekend, a public holiday or a day before anyone worked at the branch answers 404. On
    a past day, consultants who have since left show what was recorded for them, read-only.
    """
    branch = _get_branch_for_user(request, pk)
    today = timezone.localdate()
    korean_holidays = holidays.country_holidays("KR")
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    # The first day that can be taken: the first release into the branch's pool; the latest
    # meeting can always be opened, if only to say that nobody works at the branch yet.
    first_release = PoolMember.objects.filter(branch=branch).aggregate(first=Min("released_at"))["first"]
    first_day = _latest_meeting_day(today, korean_holidays)
    if first_release is not None:
        first_day = min(first_day, timezone.localdate(first_release))
    if chosen < first_day or not korean_business_day(chosen, korean_holidays):
        raise Http404
    if chosen > today:
        messages.info(
            request,
            _("The attendance of %(day)s can be taken from that day on.")
            % {"day": date_format(chosen, "MONTH_DAY_FORMAT")},
        )
        return redirect("consultant_attendance:branch", pk=branch.pk)
    sheet = list(
        meeting_members(branch, chosen)
        .select_related("enrollment__applicant")
        .order_by("enrollment__applicant__name", "pk")
    )
    on_sheet = {member.pk for member in sheet}
    recorded_rows = list(
        ConsultantAttendance.objects.filter(member__branch=branch, day=chosen)
        .select_related("member__enrollment__applicant")
        .order_by("member__enrollment__applicant__name", "member")
    )
    recorded = {row.member_id: row.status for row in recorded_rows}
    others = [
        (row.member, row.status, row.member.get_status_display())
        for row in recorded_rows
        if row.member_id not in on_sheet
    ]
    is_recorded = bool(on_sheet & set(recorded))
    reason = ""
    if request.method == "POST":
        # Every posted row goes to the service, which refuses anyone not on this branch's sheet.
        statuses = {
            int(name[2:]): value for name, value in request.POST.items() if name.startswith("a-") and name[2:].isdigit()
        }
        reason = request.POST.get("reason", "")
        try:
            changed = consultant_attendance_save(
                branch=branch, day=chosen, actor=request.user, statuses=statuses, reason=reason
            )
        except PoolError as error:
            messages.error(request, str(error))
            recorded = {m.pk: request.POST.get(f"a-{m.pk}", meeting_default_status(m)) for m in sheet}
        else:
            messages.success(request, _("Attendance saved (%(count)s changed).") % {"count": changed})
            return redirect("consultant_attendance:day", pk=branch.pk, day=chosen.isoformat())
    previous_day = _step(chosen, -1, korean_holidays)
    next_day = _step(chosen, 1, korean_holidays)
    # The trainees of the branch meet the same morning: their cohorts' sheets of that day, where the user may see them.
    cohorts = Cohort.objects.visible_to(request.user).filter(branch=branch, starts_on__lte=chosen, ends_on__gte=chosen)
    return TemplateResponse(
        request,
        "assignments/meetings/sheet.html",
        {
            "page_title": _("Consultants' morning meeting"),
            "page_subtitle": str(branch),
            "header_icon": "calendar-check",
            "branch": branch,
            "cohorts": list(cohorts.order_by("number")),
            "day": chosen,
            "is_past": chosen < today,
            "is_recorded": is_recorded,
            "previous_day": previous_day if previous_day >= first_day else None,
            "next_day": next_day if next_day <= today else None,
            "rows": [(member, recorded.get(member.pk, meeting_default_status(member))) for member in sheet],
            "flagged": {member.pk for member in sheet if member.status == PoolMemberStatus.ON_LEAVE},
            "others": others,
            "statuses": AttendanceStatus.choices,
            "reason": reason,
            "can_mark": True,
        },
    )


class MeetingMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(MEETING_PERMISSION)


class ConsultantMeetingViewSet(ViewSet):
    name = "consultant_attendance"
    url_prefix = "consultant-attendance"
    icon = "calendar-check"
    menu_label = gettext_lazy("Consultants' morning meeting")
    menu_item_class = MeetingMenuItem
    menu_order = 330
    add_to_admin_menu = True

    def get_urlpatterns(self):
        return [
            path("", meeting_index, name="index"),
            path("<int:pk>/", meeting_branch, name="branch"),
            path("<int:pk>/<str:day>/", meeting_sheet, name="day"),
        ]
