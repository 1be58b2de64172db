"""Releasing graduates into the assignment pool: by hand, by the daily job, once."""

from datetime import date

import pytest

from assignments import errors, services
from assignments.models import PoolMember
from curriculum.models import Enrollment
from curriculum.services import enrollment_enroll
from curriculum.tests.factories import make_accepted, make_graduate
from recruiting.models import Branch
from recruiting.tests.factories import make_staff

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")


@pytest.fixture
def graduates(cohort, open_round, hana):
    enrollments = [
        enrollment_enroll(cohort=cohort, applicant=make_accepted(open_round, n), actor=hana) for n in range(2)
    ]
    make_graduate(enrollments[0], actor=hana)
    return [Enrollment.objects.get(pk=e.pk) for e in enrollments]


def test_it_releases_graduates_daily_from_month_4_once(cohort, graduates):
    # The cohort starts on 4 January 2027, so month 4 starts on 4 April.
    assert services.pool_release_due(today=date(2027, 4, 3)) == 0
    assert services.pool_release_due(today=date(2027, 4, 4)) == 1
    assert services.pool_release_due(today=date(2027, 4, 5)) == 0
    member = PoolMember.objects.get()
    assert (member.enrollment, member.branch, member.released_by) == (graduates[0], cohort.branch, None)
    (event,) = member.events.all()
    assert (event.from_status, event.to_status, event.actor, member.status) == ("", "active", None, "active")


def test_it_records_a_release_by_hand_once_with_its_actor(graduates, hana):
    member, created = services.pool_member_release(enrollment=graduates[0], actor=hana)
    again, created_again = services.pool_member_release(enrollment=graduates[0], actor=hana)
    assert (created, created_again, again) == (True, False, member)
    assert list(member.events.values_list("from_status", "to_status", "actor")) == [("", "active", hana.pk)]


def test_it_releases_only_graduates(graduates, hana):
    with pytest.raises(errors.PoolError, match="수료한 교육생만"):
        services.pool_member_release(enrollment=graduates[1], actor=hana)
    assert not PoolMember.objects.exists()


def test_it_assigns_only_registered_members(graduates):
    member, _created = services.pool_member_release(enrollment=graduates[0])
    assert not member.is_registered
    assert PoolMember.objects.assignable().count() == 0
    Enrollment.objects.filter(pk=graduates[0].pk).update(
        exam_date=date(2027, 3, 20), exam_passed=True, registered_on=date(2027, 4, 1), registration_number="2027-01"
    )
    assert PoolMember.objects.assignable().count() == 1


def test_it_lets_hr_release_a_cohort_by_hand(client, cohort, graduates, hana):
    client.force_login(hana)
    page = client.get("/admin/pool/")
    assert [c.pk for c in page.context["release_form"].fields["cohort"].queryset] == [cohort.pk]
    response = client.post("/admin/pool/release/", {"cohort": cohort.pk}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["수료생 1명이 배정 풀에 들어왔습니다."]
    assert client.post("/admin/pool/release/", {"cohort": cohort.pk}, follow=True).status_code == 200
    assert PoolMember.objects.count() == 1
    page = client.get("/admin/pool/")
    assert page.context["summary"] == {"members": 1, "on_leave": 0, "assignable": 0}
    assert "아직 아님 (배정 불가)" in page.content.decode()


def test_it_shows_a_branch_only_its_own_pool(client, cohort, graduates, roles, alice):
    services.pool_member_release(enrollment=graduates[0])
    client.force_login(alice)
    assert client.get("/admin/pool/").context["object_list"].count() == 1
    client.force_login(make_staff("oscar", "지점장", Branch.objects.get(slug="branch-1")))
    assert client.get("/admin/pool/").context["object_list"].count() == 0
    member = PoolMember.objects.get()
    assert client.get(f"/admin/pool/edit/{member.pk}/").status_code in (302, 403, 404)
