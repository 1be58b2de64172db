"""The demo trainer on a 1024×768 tablet: admin home, the marking grid with a graduate in it, attendance, dashboard.

Screenshots land in VAR_DIR/screenshots/ for people to look at.
"""

import pytest
from django.contrib.auth.models import User

from cms.demo.loader import DEMO_COHORT_NUMBER
from cms.tests.browser import log_in, look
from curriculum.models import Cohort
from curriculum.services import enrollment_leave
from curriculum.tests.factories import make_graduate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TOUCH = 44


def _leave_one_and_graduate_one(cohort: Cohort) -> tuple[str, str]:
    """Put a graduate and a leaver into the demo cohort, which is mid-training.

    The gate refuses graduation before the cohort's last day (its own tests cover that),
    so the graduate is moved past it: what is under test here is how the trainer's
    screens show her and the leaver.
    """
    hr = User.objects.get(username="hr")
    graduate, leaver = cohort.enrollments.select_related("applicant").order_by("applicant__name")[:2]
    make_graduate(graduate, actor=hr)
    enrollment_leave(enrollment=leaver, actor=hr, reason="개인 사정")
    return graduate.applicant.name, leaver.applicant.name


def test_the_trainer_works_the_day_on_a_tablet(live_server, demo_site, tablet):
    cohort = Cohort.objects.get(number=DEMO_COHORT_NUMBER)
    graduate, leaver = _leave_one_and_graduate_one(cohort)
    assert User.objects.get(username="trainer") in cohort.trainers.all()

    # The admin home shows her cohort and today's meeting, not an empty page.
    log_in(tablet, live_server.url, "trainer", "csrc-demo-2026")
    panel = tablet.locator(".trainer-today")
    assert panel.get_by_role("heading", name=str(cohort)).is_visible()
    assert panel.get_by_role("link", name="평가표").is_visible()
    look(tablet, "trainer-home-tablet", accessibility=False)

    # The grid: whole module names, graduates read-only and labelled, history links a finger wide.
    panel.get_by_role("link", name="평가표").click()
    tablet.wait_for_url(f"**/admin/cohorts/{cohort.pk}/marks/")
    clipped = tablet.locator(".marks-grid__module").evaluate_all(
        "spans => spans.filter(s => s.scrollHeight > s.clientHeight + 1 || s.scrollWidth > s.clientWidth + 1)"
        ".map(s => s.textContent)"
    )
    assert clipped == []
    assert (
        tablet.locator(".marks-grid__head").evaluate_all("hs => hs.map(h => getComputedStyle(h).whiteSpace)")
        == ["normal"] * cohort.curriculum.modules.count()
    )
    graduate_row = tablet.locator("tr", has=tablet.get_by_role("rowheader", name=f"{graduate} 수료"))
    assert graduate_row.locator("input, select").count() == 0
    assert tablet.locator("tr", has=tablet.get_by_role("rowheader", name=f"{leaver} 중도 퇴소")).is_visible()
    first_module = cohort.curriculum.modules.first().title
    history = graduate_row.get_by_role("link", name=f"{graduate} · {first_module} 이력")
    box = history.bounding_box()
    assert (box["width"] >= TOUCH, box["height"] >= TOUCH) == (True, True), box
    look(tablet, "marks-with-graduate-tablet", accessibility=False)
    tablet.get_by_role("button", name="평가 모두 저장").click()
    # Saved with a graduate in the grid: before the fix this said "N칸을 고쳐야 합니다".
    tablet.get_by_text("평가 0건을 저장했습니다.").wait_for()

    # Attendance: the latest meeting day, navigation only to days that can be taken.
    tablet.get_by_role("navigation", name="기수 화면").get_by_role("link", name="출석").click()
    tablet.wait_for_url(f"**/admin/cohorts/{cohort.pk}/attendance/*/")
    assert tablet.get_by_role("button", name="출석 저장").is_visible()
    assert tablet.get_by_role("link", name="다음 정보미팅").count() == 0
    assert tablet.get_by_role("group", name=graduate).count() == 0
    for label in tablet.locator(".attendance-sheet__choice").all()[:4]:
        assert label.bounding_box()["height"] >= TOUCH
    look(tablet, "attendance-tablet", accessibility=False)

    # The dashboard's attendance chart names its days under the bars.
    tablet.get_by_role("navigation", name="기수 화면").get_by_role("link", name="대시보드").click()
    tablet.wait_for_url(f"**/admin/cohorts/{cohort.pk}/")
    days = tablet.locator(".attendance-chart__day")
    assert days.count() >= 6
    assert days.first.is_visible()
    look(tablet, "dashboard-tablet", accessibility=False)
