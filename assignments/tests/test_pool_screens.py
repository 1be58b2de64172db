"""The pool screen: totals per branch, who released whom, and a release that explains itself."""

from datetime import date

import pytest
from django.db import transaction

from assignments import errors, services
from assignments.models import PoolMember
from curriculum.models import Enrollment
from curriculum.services import enrollment_enroll
from curriculum.tests.factories import make_accepted, make_graduate

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")


@pytest.fixture
def graduates(cohort, open_round, hana):
    enrollments = [
        enrollment_enroll(cohort=cohort, applicant=make_accepted(open_round, n), actor=hana) for n in range(3)
    ]
    for enrollment in enrollments[:2]:
        make_graduate(enrollment, actor=hana)
    Enrollment.objects.filter(pk=enrollments[0].pk).update(
        exam_date=date(2027, 3, 20), exam_passed=True, registered_on=date(2027, 4, 10), registration_number="R-1"
    )
    return [Enrollment.objects.get(pk=e.pk) for e in enrollments]


def test_it_shows_totals_per_branch(client, cohort, graduates, hana):
    services.cohort_release_to_pool(cohort=cohort, actor=hana)
    PoolMember.objects.filter(enrollment=graduates[1]).update(capacity=12)
    client.force_login(hana)
    page = client.get("/admin/pool/")
    assert page.context["branches"] == [
        {
            "branch": cohort.branch.name,
            "members": 2,
            "on_leave": 0,
            "assignable": 1,
            "capacity": 42,
            "assignable_capacity": 30,
        }
    ]
    html = page.content.decode()
    assert "지점별 합계" in html
    assert "42" in html


def test_it_says_why_nothing_was_released(client, cohort, graduates, hana):
    client.force_login(hana)
    for data in ({}, {"cohort": ""}, {"cohort": "x"}, {"cohort": "999999"}):
        response = client.post("/admin/pool/release/", data, follow=True)
        assert response.status_code == 200
        (message,) = [str(m) for m in response.context["messages"]]
        assert "배정 풀에 넣지 않았습니다" in message or "수료생이 없습니다" in message, message
    assert not PoolMember.objects.exists()


def test_it_records_and_shows_who_released(client, cohort, graduates, hana):
    hana.first_name = "하나"
    hana.save()
    client.force_login(hana)
    client.post("/admin/pool/release/", {"cohort": cohort.pk})
    assert set(PoolMember.objects.values_list("released_by", flat=True)) == {hana.pk}
    html = client.get("/admin/pool/").content.decode()
    assert "하나" in html


def test_it_says_the_daily_release_released_them(client, cohort, graduates, hana):
    services.pool_release_due(today=date(2027, 4, 4))
    client.force_login(hana)
    assert "자동 편입 (매일)" in client.get("/admin/pool/").content.decode()


class Rollback(Exception):
    pass


def _copy_of_a_rolled_back_graduation(enrollment: Enrollment, actor) -> Enrollment:
    """Return `enrollment` as a copy that saw a graduation which was then rolled back."""
    try:
        with transaction.atomic():
            make_graduate(enrollment, actor=actor)
            raise Rollback
    except Rollback:
        return enrollment


def test_it_releases_only_graduates_even_when_the_status_changes_meanwhile(cohort, graduates, hana):
    stale = _copy_of_a_rolled_back_graduation(graduates[2], hana)
    assert (stale.status, Enrollment.objects.get(pk=stale.pk).status) == ("graduated", "active")
    with pytest.raises(errors.PoolError, match="수료한 교육생만"):
        services.pool_member_release(enrollment=stale, actor=hana)
    assert not PoolMember.objects.exists()
