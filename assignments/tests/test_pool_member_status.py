"""A pool member's status: active, on leave (휴직) and left (퇴사), each move with its history row."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from assignments import services
from assignments.errors import PoolError
from assignments.models import PoolMember, PoolMemberEvent, PoolMemberStatus
from assignments.tests.factories import make_pool_graduate

# Every test here uses the site: it is built once for the module (conftest.py, module_site).
pytestmark = pytest.mark.usefixtures("module_site")

ACTIVE, ON_LEAVE, LEFT = PoolMemberStatus.ACTIVE, PoolMemberStatus.ON_LEAVE, PoolMemberStatus.LEFT


def _moves(member: PoolMember) -> list[tuple]:
    return list(member.events.values_list("from_status", "to_status", "actor__username", "reason"))


def test_it_writes_a_history_row_for_each_move_with_actor_and_reason(member, hana, mina):
    services.pool_member_take_leave(member=member, actor=mina, reason="  육아휴직 1년  ")
    services.pool_member_return(member=member, actor=hana)
    services.pool_member_leave(member=member, actor=mina, reason="개인 사정으로 퇴사")
    member.refresh_from_db()
    assert member.status == LEFT
    assert _moves(member) == [
        ("", ACTIVE, "hana", ""),
        (ACTIVE, ON_LEAVE, "mina", "육아휴직 1년"),
        (ON_LEAVE, ACTIVE, "hana", ""),
        (ACTIVE, LEFT, "mina", "개인 사정으로 퇴사"),
    ]


def test_it_lets_a_member_on_leave_leave(member, mina):
    services.pool_member_take_leave(member=member, actor=mina, reason="병가")
    event = services.pool_member_leave(member=member, actor=mina, reason="복귀하지 않기로 함", expected=ON_LEAVE)
    assert (event.from_status, event.to_status) == (ON_LEAVE, LEFT)


@pytest.mark.parametrize(
    ("before", "move", "message"),
    [
        ([], services.pool_member_return, "활동 상태라 활동"),
        ([services.pool_member_leave], services.pool_member_return, "퇴사 상태라 활동"),
        ([services.pool_member_leave], services.pool_member_take_leave, "퇴사 상태라 휴직"),
        ([services.pool_member_leave], services.pool_member_leave, "퇴사 상태라 퇴사"),
        ([services.pool_member_take_leave], services.pool_member_take_leave, "휴직 상태라 휴직"),
    ],
)
def test_it_refuses_an_illegal_move_in_korean_and_writes_nothing(member, mina, before, move, message):
    for earlier in before:
        earlier(member=member, actor=mina, reason="사유")
    status, rows = PoolMember.objects.get(pk=member.pk).status, PoolMemberEvent.objects.count()
    with pytest.raises(PoolError, match=message):
        move(member=member, actor=mina, reason="사유")
    assert PoolMember.objects.get(pk=member.pk).status == status
    assert PoolMemberEvent.objects.count() == rows


def test_it_refuses_a_move_made_on_a_stale_view(member, hana, mina):
    stale = PoolMember.objects.get(pk=member.pk)
    services.pool_member_take_leave(member=member, actor=hana, reason="육아휴직")
    with pytest.raises(PoolError, match="방금 다른 사람이 바꿨습니다"):
        services.pool_member_leave(member=stale, actor=mina, reason="퇴사", expected=ACTIVE)
    assert PoolMember.objects.get(pk=member.pk).status == ON_LEAVE
    assert member.events.count() == 2


@pytest.mark.parametrize("move", [services.pool_member_take_leave, services.pool_member_leave])
@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "사유를 적어 주세요"),
        ("   ", "사유를 적어 주세요"),
        ("가" * 201, "200자"),
        ("주민번호 860101-2345678 확인", "주민등록번호"),
    ],
)
def test_it_refuses_a_missing_or_hostile_reason_and_saves_nothing(member, mina, move, reason, message):
    with pytest.raises(PoolError, match=message):
        move(member=member, actor=mina, reason=reason)
    assert PoolMember.objects.get(pk=member.pk).status == ACTIVE
    assert member.events.count() == 1


def test_it_assigns_only_active_registered_members(cohort, hana, mina):
    graduates = [make_pool_graduate(cohort, n, actor=hana, registered=True) for n in range(3)]
    members = [services.pool_member_release(enrollment=graduate, actor=hana)[0] for graduate in graduates]
    assert PoolMember.objects.assignable().count() == 3
    services.pool_member_take_leave(member=members[0], actor=mina, reason="휴직")
    services.pool_member_leave(member=members[1], actor=mina, reason="퇴사")
    assert list(PoolMember.objects.assignable()) == [members[2]]
    services.pool_member_return(member=members[0], actor=mina)
    assert set(PoolMember.objects.assignable()) == {members[0], members[2]}


def test_it_gives_members_released_before_statuses_their_release_row(cohort, hana):
    released_at = timezone.now() - timedelta(days=30)
    graduates = [make_pool_graduate(cohort, n, actor=hana) for n in (1, 2)]
    by_hand = PoolMember.objects.create(
        enrollment=graduates[0], branch=cohort.branch, released_at=released_at, released_by=hana
    )
    daily = PoolMember.objects.create(enrollment=graduates[1], branch=cohort.branch, released_at=released_at)
    migration = importlib.import_module("assignments.migrations.0002_pool_member_status")
    migration.record_each_release(apps, None)
    migration.record_each_release(apps, None)
    for member, actor in ((by_hand, hana), (daily, None)):
        (event,) = member.events.all()
        assert (event.from_status, event.to_status, event.actor, event.created_at) == ("", ACTIVE, actor, released_at)
        assert member.status == ACTIVE
