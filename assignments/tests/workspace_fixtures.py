"""What the workspace's tests share: a consultant with a book of her own, given through a real plan.

The `member` of assignments/tests/conftest.py is a registered consultant of 강서 (she lives
in 강서구); her login was made when HR released her. `give_customers` imports a book of
강서 customers and applies one plan, as HR would, so the plan gives them all to her.
"""

from datetime import date

import pytest

from assignments.models import Customer, PoolMember
from assignments.services import (
    assignment_run_apply,
    assignment_run_apply_request,
    assignment_run_approve,
    assignment_run_plan,
    assignment_run_start,
)
from assignments.tests.factories import BOOK_HEADING, import_book

GANGSEO = "서울특별시 강서구 공항대로 247"
NAMES = ["김서연", "이지은", "박민지", "최수아", "정하윤", "강예린", "조은비", "윤다은", "장미라", "임소희"]


def book_line(number: int, *, line: str = "장기", renews_on: date | None = None, name: str = "") -> str:
    """Return one contract of a 강서 customer: customer W<number>, mobile 010-5000-<number>."""
    name = name or f"{NAMES[number % len(NAMES)]}{number}"
    renewal = renews_on.isoformat() if renews_on else ""
    premium = 10000 + number
    return f"W{number:03d},{name},0105000{number:04d},{GANGSEO},K-{number},{line},{premium},{renewal},P1,2026-11-02"


def give_customers(member: PoolMember, lines: list[str], *, actor) -> list[Customer]:
    """Import the book `lines` and apply one plan over it; return her customers by number."""
    PoolMember.objects.filter(pk=member.pk).update(capacity=500)
    import_book(("\n".join([BOOK_HEADING, *lines]) + "\n").encode(), actor=actor)
    run = assignment_run_plan(run_id=assignment_run_start(actor=actor, branch=None).pk)
    assignment_run_approve(run=run, actor=actor)
    assignment_run_apply_request(run=run, actor=actor)
    assignment_run_apply(run_id=run.pk, actor_id=actor.pk)
    return list(Customer.objects.filter(consultant=member).order_by("number"))


@pytest.fixture
def consultant(member):
    """The member's login, as her release made it: in the consultant role, without a usable password."""
    return member.user
