"""The trainer takes the working consultants' morning meeting on a 1024×768 tablet: a real browser."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assignments.models import ConsultantAttendance
from assignments.tests.test_meetings import _release
from cms.tests.browser import log_in, look
from cms.tests.conftest import browser, tablet  # noqa: F401 - the browser fixtures

# The live server needs a transactional database; serialized_rollback restores what
# the migrations installed (districts, Wagtail's root page) after each flush.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TOUCH = 44


def test_the_trainer_taps_the_exceptions_of_the_branch_meeting(live_server, tablet, cohort, gangseo, hana, tom):  # noqa: F811
    cohort.capacity = 10
    cohort.save()
    # Released two weeks ago, so that the latest meeting day, whatever today is, has them on its sheet.
    released_on = timezone.localdate() - timedelta(days=14)
    members = [_release(cohort, number, actor=hana, released_on=released_on) for number in range(3)]

    log_in(tablet, live_server.url, "tom", "x")
    tablet.goto(live_server.url + "/admin/consultant-attendance/")
    tablet.wait_for_url(f"**/admin/consultant-attendance/{gangseo.pk}/*/")
    assert tablet.get_by_role("button", name="출석 저장").is_visible()
    for name in sorted(member.enrollment.applicant.name for member in members):
        assert tablet.get_by_role("group", name=name).is_visible()
    targets = [
        *tablet.locator(".attendance-sheet__choice").all(),
        *tablet.locator(".attendance-day__step").all(),
        tablet.get_by_role("button", name="출석 저장"),
    ]
    for target in targets:
        box = target.bounding_box()
        assert box["height"] >= TOUCH, box
    look(tablet, "consultant-meeting-tablet", accessibility=False)

    first = sorted(members, key=lambda member: member.enrollment.applicant.name)[0]
    tablet.get_by_role("group", name=first.enrollment.applicant.name).get_by_text("지각").click()
    tablet.get_by_role("button", name="출석 저장").click()
    tablet.get_by_text("출석을 저장했습니다 (3건 변경).").wait_for()
    assert dict(ConsultantAttendance.objects.values_list("member", "status")) == {
        member.pk: "late" if member == first else "present" for member in members
    }
