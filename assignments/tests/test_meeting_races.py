"""Four people saving the same past meeting at once take turns: the pool rows' lock settles it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from assignments.models import ConsultantAttendance, ConsultantAttendanceChange
from assignments.selectors import korean_business_day
from assignments.services import consultant_attendance_save
from assignments.tests.test_meetings import _release
from core.tests.concurrency import in_parallel

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's locking"),
]

STATUSES = ["present", "late", "excused", "absent"]


def test_four_saves_of_a_past_day_at_once_log_one_chain_of_changes(cohort, gangseo, hana, tom):
    today = timezone.localdate()
    members = [_release(cohort, number, actor=hana, released_on=today - timedelta(days=30)) for number in range(3)]
    day = today - timedelta(days=1)
    while not korean_business_day(day):
        day -= timedelta(days=1)
    first = members[0]

    results = in_parallel(
        lambda index: consultant_attendance_save(
            branch=gangseo, day=day, actor=tom, statuses={first.pk: STATUSES[index]}, reason=f"정정 {index}"
        ),
        count=4,
    )

    # The first save records the three rows; each one after it changes only hers.
    assert sorted(results) == [1, 1, 1, 3], results
    assert ConsultantAttendance.objects.filter(day=day).count() == 3
    chain = list(
        ConsultantAttendanceChange.objects.filter(attendance__member=first)
        .order_by("pk")
        .values_list("from_status", "to_status")
    )
    assert [from_status for from_status, _to in chain] == ["", *(to for _from, to in chain[:-1])]
    assert ConsultantAttendance.objects.get(member=first, day=day).status == chain[-1][1]
