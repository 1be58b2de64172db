"""The consultant's writes in her workspace: recording a contact with one of her customers.

A contact is an event, not a status: it is written once, in one transaction, under the lock
of the customer's row, and never changed. The lock makes two taps at once wait for each
other (the second finds the first and records nothing), and shows a plan applied meanwhile
that gave the customer to someone else.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assignments.errors import ContactError
from assignments.models import Contact, ContactKind, ContactOutcome, Customer, PoolMember
from core.validators import text_refusal

logger = logging.getLogger(__name__)

NOTE_MAX_LENGTH = Contact._meta.get_field("note").max_length
NEXT_STEP_MAX_LENGTH = Contact._meta.get_field("next_step").max_length
# The same contact sent again this soon (a double tap, a page sent twice) is the first one.
DUPLICATE_SECONDS = 30
# How far ahead a next step may be promised.
NEXT_STEP_MAX_DAYS = 366


def _checked_text(text: str, *, limit: int, too_long: str) -> str:
    """Return the text trimmed, or refuse one that is too long or holds what may not be kept."""
    text = text.strip()
    if len(text) > limit:
        raise ContactError(too_long % {"limit": limit})
    if refusal := text_refusal(text):
        raise ContactError(refusal)
    return text


def contact_record(
    *,
    consultant: PoolMember,
    customer: Customer,
    kind: str,
    reached: bool,
    outcome: str = "",
    note: str = "",
    next_step: str = "",
    next_step_on: date | None = None,
) -> tuple[Contact, bool]:
    """Record a call, visit or message of `consultant` to her customer; return (contact, created).

    Refuses, with a message for her and nothing saved: a customer who is not (or no
    longer) hers, an unknown kind or outcome, an outcome when she did not reach the
    customer, a note or next step too long or holding a registration number, a next step
    without its day, a day in the past or more than a year ahead. The same contact sent
    again within DUPLICATE_SECONDS is the one already recorded (`created` is False).
    """
    if kind not in ContactKind.values:
        raise ContactError(_("Choose a call, a visit or a message."))
    if not isinstance(reached, bool):
        raise ContactError(_("Say whether you reached the customer."))
    if outcome and outcome not in ContactOutcome.values:
        raise ContactError(_("Choose an outcome from the list."))
    if outcome and not reached:
        raise ContactError(_("An outcome needs a customer you reached; nothing was recorded."))
    note = _checked_text(
        note, limit=NOTE_MAX_LENGTH, too_long=_("Keep the note to %(limit)d characters; nothing was recorded.")
    )
    next_step = _checked_text(
        next_step,
        limit=NEXT_STEP_MAX_LENGTH,
        too_long=_("Keep the next step to %(limit)d characters; nothing was recorded."),
    )
    today = timezone.localdate()
    if next_step and next_step_on is None:
        raise ContactError(_("Give the day of the next step; nothing was recorded."))
    if next_step_on is not None and not today <= next_step_on <= today + timedelta(days=NEXT_STEP_MAX_DAYS):
        raise ContactError(_("The next step falls between today and a year from now; nothing was recorded."))
    with transaction.atomic():
        locked = (
            Customer.objects.select_for_update(of=("self",))
            .in_book()
            .filter(pk=customer.pk, consultant=consultant)
            .first()
        )
        if locked is None:
            raise ContactError(_("This customer is no longer yours; nothing was recorded."))
        values = {
            "kind": kind,
            "reached": reached,
            "outcome": outcome,
            "note": note,
            "next_step": next_step,
            "next_step_on": next_step_on,
        }
        since = timezone.now() - timedelta(seconds=DUPLICATE_SECONDS)
        same = Contact.objects.filter(customer=locked, consultant=consultant, created_at__gte=since, **values).first()
        if same is not None:
            return same, False
        contact = Contact.objects.create(customer=locked, consultant=consultant, **values)
    logger.info("Contact %s recorded by pool member %s", contact.pk, consultant.pk)
    return contact, True
