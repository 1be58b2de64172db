"""The working consultants' morning meeting at their branch: saving one day's sheet.

It follows the trainees' sheet (`curriculum.services.attendance_save`): everyone present
by default, a reason for a day that has passed, one change row per status it changes.
Who is on a day's sheet is `meeting_members` (docs/decisions.md, "The consultants' morning
meeting").
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from assignments.errors import PoolError
from assignments.models import ConsultantAttendance, ConsultantAttendanceChange, PoolMember, PoolMemberStatus
from assignments.selectors import korean_business_day
from core.validators import text_refusal
from curriculum.models import AttendanceStatus
from recruiting.models import Branch

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = ConsultantAttendanceChange._meta.get_field("reason").max_length


def meeting_members(branch: Branch, day: date) -> QuerySet[PoolMember]:
    """Return the members of the branch on the sheet of `day`: released by that day and not left."""
    return PoolMember.objects.filter(branch=branch, released_at__date__lte=day).exclude(status=PoolMemberStatus.LEFT)


def meeting_default_status(member: PoolMember) -> str:
    """Return the status a consultant has on a sheet not yet saved: excused while on leave, present otherwise."""
    return AttendanceStatus.EXCUSED if member.status == PoolMemberStatus.ON_LEAVE else AttendanceStatus.PRESENT


def consultant_attendance_save(
    *, branch: Branch, day: date, actor: User, statuses: dict[int, str], reason: str = ""
) -> int:
    """Record the branch's morning meeting of `day` for its working consultants; return how many rows changed.

    `statuses` maps pool member ids to present, late, excused or absent; a member on the
    sheet who is not in it takes her default (`meeting_default_status`). The day must be
    a business day (a weekday that is not a Korean public holiday) and not in the future;
    changing a day that has passed needs a reason, logged with every status it changes.
    Anything refused raises `PoolError` and saves nothing.
    """
    if refusal := text_refusal(reason):
        raise PoolError(refusal)
    reason = reason.strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise PoolError(
            _("Keep the reason to %(limit)d characters; nothing was changed.") % {"limit": REASON_MAX_LENGTH}
        )
    today = timezone.localdate()
    if day > today:
        raise PoolError(_("Attendance can only be taken on the day or after it."))
    if not korean_business_day(day):
        raise PoolError(_("There is no morning meeting on that day."))
    if not set(statuses.values()) <= set(AttendanceStatus.values):
        raise PoolError(_("The sheet holds a consultant or a status that does not exist."))
    with transaction.atomic():
        # The members' rows are locked in a fixed order, so two people saving the same
        # meeting at once take turns: the second reads what the first saved, and its change
        # rows name the right "from". A move to leave or out of the pool waits as well.
        members = {
            member.pk: member for member in PoolMember.objects.select_for_update().filter(branch=branch).order_by("pk")
        }
        on_sheet = {pk: members[pk] for pk in meeting_members(branch, day).values_list("pk", flat=True)}
        if set(statuses) & {pk for pk, member in members.items() if member.status == PoolMemberStatus.LEFT}:
            raise PoolError(_("The attendance of a consultant who left the pool cannot be changed."))
        if set(statuses) - set(on_sheet):
            raise PoolError(_("The sheet holds a consultant or a status that does not exist."))
        existing = {row.member_id: row for row in ConsultantAttendance.objects.filter(member__in=on_sheet, day=day)}
        wanted = {pk: statuses.get(pk, meeting_default_status(member)) for pk, member in on_sheet.items()}
        changed = {pk: status for pk, status in wanted.items() if pk not in existing or existing[pk].status != status}
        if day < today and changed and not reason:
            raise PoolError(_("Changing a past day's attendance needs a reason."))
        now = timezone.now()
        ConsultantAttendance.objects.bulk_create(
            [
                ConsultantAttendance(member_id=pk, day=day, status=status, recorded_by=actor, recorded_at=now)
                for pk, status in changed.items()
            ],
            update_conflicts=True,
            unique_fields=["member", "day"],
            update_fields=["status", "recorded_by", "recorded_at"],
        )
        if day < today and changed:
            rows = {row.member_id: row for row in ConsultantAttendance.objects.filter(member__in=changed, day=day)}
            ConsultantAttendanceChange.objects.bulk_create(
                ConsultantAttendanceChange(
                    attendance=rows[pk],
                    from_status=existing[pk].status if pk in existing else "",
                    to_status=status,
                    reason=reason,
                    changed_by=actor,
                )
                for pk, status in changed.items()
            )
    logger.info("Morning meeting of branch %s on %s saved by %s: %s changed", branch.pk, day, actor.pk, len(changed))
    return len(changed)
