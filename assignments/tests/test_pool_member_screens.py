"""The pool member's page and the three moves on it: who may see and move whom, the confirmation, hostile input."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assignments import services
from assignments.models import PoolMember, PoolMemberEvent, PoolMemberStatus
from assignments.tests.factories import make_pool_graduate

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")

ACTIVE, ON_LEAVE, LEFT = PoolMemberStatus.ACTIVE, PoolMemberStatus.ON_LEAVE, PoolMemberStatus.LEFT


def _page(member: PoolMember) -> str:
    return f"/admin/pool/inspect/{member.pk}/"


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _refused(response) -> bool:
    """Return whether the admin refused a role: 403, or Wagtail's redirect to the dashboard with a message."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def test_it_shows_the_status_and_the_history_in_korean(client, member, hana, mina):
    hana.first_name = "하나"
    hana.save()
    services.pool_member_take_leave(member=member, actor=mina, reason="육아휴직 1년")
    PoolMemberEvent.objects.filter(pk=member.events.last().pk).update(
        created_at=datetime.fromisoformat("2027-05-03T01:30:00+00:00")
    )
    client.force_login(mina)
    html = client.get(_page(member)).content.decode()
    assert "휴직" in html
    assert "2027년 5월 3일 (월) 오전 10:30" in html
    assert "활동 → 휴직" in html
    assert "육아휴직 1년" in html
    assert "mina" in html
    assert "하나" in html
    assert "배정 풀 편입 (활동)" in html


def test_it_offers_only_the_moves_open_from_the_status(client, member, mina):
    client.force_login(mina)
    html = client.get(_page(member)).content.decode()
    assert f"/admin/pool/{member.pk}/take-leave/" in html
    assert f"/admin/pool/{member.pk}/leave/" in html
    assert f"/admin/pool/{member.pk}/return/" not in html
    services.pool_member_take_leave(member=member, actor=mina, reason="휴직")
    html = client.get(_page(member)).content.decode()
    assert f"/admin/pool/{member.pk}/return/" in html
    assert f"/admin/pool/{member.pk}/take-leave/" not in html


def test_it_shows_a_recruiter_the_member_but_no_moves(client, member, alice):
    client.force_login(alice)
    response = client.get(_page(member))
    assert response.status_code == 200
    assert response.context["moves"] == []
    assert _refused(client.get(f"/admin/pool/{member.pk}/take-leave/"))
    assert _refused(client.post(f"/admin/pool/{member.pk}/leave/", {"reason": "퇴사", "expected_status": ACTIVE}))
    assert PoolMember.objects.get(pk=member.pk).status == ACTIVE


def test_it_hides_a_member_of_another_branch(client, member, bob):
    client.force_login(bob)
    assert client.get(_page(member)).status_code == 404
    assert client.get(f"/admin/pool/{member.pk}/take-leave/").status_code == 404
    response = client.post(f"/admin/pool/{member.pk}/take-leave/", {"reason": "휴직", "expected_status": ACTIVE})
    assert response.status_code == 404
    assert PoolMember.objects.get(pk=member.pk).status == ACTIVE


def test_it_refuses_roles_without_the_pool(client, member, tom):
    client.force_login(tom)
    assert _refused(client.get(_page(member)))
    assert _refused(client.get(f"/admin/pool/{member.pk}/leave/"))


def test_it_confirms_with_nothing_preselected_before_a_move(client, member, mina):
    client.force_login(mina)
    response = client.get(f"/admin/pool/{member.pk}/leave/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "퇴사 처리할까요?" in html
    assert response.context["form"]["reason"].value() is None
    assert 'name="expected_status" value="active"' in html
    assert "checked" not in html
    assert "selected" not in html
    assert member.events.count() == 1


def test_it_makes_the_move_once_confirmed(client, member, mina):
    client.force_login(mina)
    response = client.post(
        f"/admin/pool/{member.pk}/take-leave/", {"reason": "육아휴직", "expected_status": ACTIVE}, follow=True
    )
    assert response.redirect_chain == [(_page(member), 302)]
    assert _messages(response) == ["김하나 님은 이제 휴직 상태입니다."]
    event = member.events.last()
    assert (event.to_status, event.actor, event.reason) == (ON_LEAVE, mina, "육아휴직")
    response = client.post(f"/admin/pool/{member.pk}/return/", {"reason": "", "expected_status": ON_LEAVE})
    assert response.status_code == 302
    assert PoolMember.objects.get(pk=member.pk).status == ACTIVE


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "사유를 적어 주세요"),
        ("가" * 5000, "200자"),
        ("주민번호 860101-2345678", "주민등록번호"),
    ],
)
def test_it_refuses_a_missing_or_hostile_reason_in_korean(client, member, mina, reason, message):
    client.force_login(mina)
    response = client.post(f"/admin/pool/{member.pk}/leave/", {"reason": reason, "expected_status": ACTIVE})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert PoolMember.objects.get(pk=member.pk).status == ACTIVE
    assert member.events.count() == 1


@pytest.mark.parametrize("data", [{}, {"reason": "퇴사", "expected_status": "nonsense"}, {"reason": ["a", "b"]}])
def test_it_survives_a_forged_post(client, member, mina, data):
    client.force_login(mina)
    assert client.post(f"/admin/pool/{member.pk}/leave/", data).status_code == 200
    assert member.events.count() == 1


def test_it_refuses_the_same_move_posted_twice(client, member, mina):
    client.force_login(mina)
    data = {"reason": "육아휴직", "expected_status": ACTIVE}
    client.post(f"/admin/pool/{member.pk}/take-leave/", data, follow=True)
    response = client.post(f"/admin/pool/{member.pk}/take-leave/", data, follow=True)
    assert response.status_code == 200
    assert _messages(response) == ["방금 다른 사람이 바꿨습니다. 지금은 휴직 상태입니다. 확인하고 다시 시도해 주세요."]
    assert member.events.count() == 2


def test_it_explains_a_move_not_open_from_the_status(client, member, mina):
    client.force_login(mina)
    response = client.get(f"/admin/pool/{member.pk}/return/", follow=True)
    assert response.redirect_chain == [(_page(member), 302)]
    assert _messages(response) == ["이 컨설턴트는 활동 상태라 활동(으)로 바꿀 수 없습니다."]


def test_it_filters_the_list_by_status(client, cohort, member, hana, mina):
    other, _created = services.pool_member_release(enrollment=make_pool_graduate(cohort, 1, actor=hana), actor=hana)
    services.pool_member_take_leave(member=other, actor=mina, reason="휴직")
    client.force_login(mina)
    listing = client.get("/admin/pool/", {"status": ON_LEAVE})
    assert list(listing.context["object_list"]) == [other]
    html = listing.content.decode()
    assert "휴직" in html
    assert client.get("/admin/pool/").context["summary"] == {"members": 2, "on_leave": 1, "assignable": 1}


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_it_keeps_the_queries_constant_however_long_the_history(client, member, mina):
    client.force_login(mina)
    short = _queries(client, _page(member))
    for _round in range(3):
        services.pool_member_take_leave(member=member, actor=mina, reason="휴직")
        services.pool_member_return(member=member, actor=mina)
    assert _queries(client, _page(member)) == short == 12


def test_it_keeps_the_list_queries_constant_however_many_members(client, cohort, member, hana, mina):
    client.force_login(mina)
    few = _queries(client, "/admin/pool/")
    # The cohort of the fixtures seats three: the member and two more.
    for n in range(2):
        other, _created = services.pool_member_release(enrollment=make_pool_graduate(cohort, n, actor=hana), actor=hana)
        services.pool_member_take_leave(member=other, actor=mina, reason="휴직")
    assert _queries(client, "/admin/pool/") == few == 15
