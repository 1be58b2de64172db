"""The one way a status changes (DESIGN §3): a transitions table beside the model, a locked
row, a refused illegal or stale move, and one history row with its actor.

A status-bearing model declares its lifecycle next to its fields::

    class Cohort(models.Model):
        status = models.CharField(choices=CohortStatus.choices, ...)
        lifecycle = Lifecycle(transitions=COHORT_TRANSITIONS, history="events", error=TrainingError)

and keeps its history in a model of its own that extends `StateEvent` with a foreign
key to it, whose related name the lifecycle's `history` names (here `events`). Services
call `state_change` for every move, `state_start` when they create the row and
`state_record` for an event within a status; nothing else writes a status or its
history (config/tests/test_lifecycles.py checks).
Side effects are queued by the service with `transaction.on_commit` inside the same
transaction, so they run only when the move is saved.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.utils.functional import Promise

M = TypeVar("M", bound=models.Model)


class StateEvent(models.Model):
    """One change of an object's status: its history and its audit in one row (healthchecks' `Flip`).

    A row whose `from_status` equals its `to_status` records something that happened to
    the object without moving it (a booking, a note), so the timeline reads one table.
    """

    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when the person concerned or a scheduled job made the change"),
    )
    reason = models.CharField(_("reason"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"

    @property
    def is_move(self) -> bool:
        """Return whether this row records a change of status, not an event within one."""
        return self.from_status != self.to_status

    def get_from_status_display(self) -> str:
        return self.status_labels().get(self.from_status, self.from_status)

    def get_to_status_display(self) -> str:
        return self.status_labels().get(self.to_status, self.to_status)

    @classmethod
    def status_labels(cls) -> dict[str, str]:
        """Return the labels of the statuses of the model whose history this is, by value.

        They are read from that model's status field, so a history model declares only its
        foreign key and never repeats the choices.
        """
        for field in cls._meta.concrete_fields:
            lifecycle = getattr(field.related_model, "lifecycle", None) if field.is_relation else None
            if isinstance(lifecycle, Lifecycle):
                choices = field.related_model._meta.get_field(lifecycle.field).flatchoices
                return {value: str(label) for value, label in choices}
        return {}


@dataclass(frozen=True)
class Lifecycle:
    """How the status of one model may change, and where its history is written.

    `transitions` maps every status to the statuses it may become; `history` is the
    related name of the `StateEvent` model's foreign key to this one; `error` is the
    app's `DomainError` subclass raised for a refused move.
    """

    transitions: Mapping[str, Collection[str]]
    history: str
    error: type[DomainError] = DomainError
    field: str = "status"
    stale_message: str | Promise = _("Someone changed this a moment ago; it is now %(status)s. Check it and try again.")
    illegal_message: str | Promise = _("Something that is %(status)s cannot become %(new)s.")

    def allows(self, current: str, new: str) -> bool:
        return new in self.transitions.get(current, ())

    def history_model(self, model: type[models.Model]) -> tuple[type[StateEvent], str]:
        """Return the history model of `model` and the name of its foreign key to `model`."""
        relation = model._meta.get_field(self.history)
        return relation.related_model, relation.field.name


def _lifecycle(instance: models.Model) -> Lifecycle:
    lifecycle = getattr(type(instance), "lifecycle", None)
    if not isinstance(lifecycle, Lifecycle):
        raise TypeError(f"{type(instance).__name__} declares no lifecycle")
    return lifecycle


def _label(model: type[models.Model], lifecycle: Lifecycle, value: str) -> str:
    choices = dict(model._meta.get_field(lifecycle.field).flatchoices)
    return str(choices.get(value, value))


def state_record(
    instance: models.Model,
    *,
    actor: User | None,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str = "",
    note: str = "",
) -> StateEvent:
    """Write one history row for `instance`; by default an event within its current status."""
    lifecycle = _lifecycle(instance)
    history_model, subject = lifecycle.history_model(type(instance))
    current = getattr(instance, lifecycle.field)
    return history_model.objects.create(
        **{subject: instance},
        from_status=current if from_status is None else from_status,
        to_status=current if to_status is None else to_status,
        actor=actor,
        reason=reason,
        note=note,
    )


def state_start(instance: models.Model, *, actor: User | None, note: str = "") -> StateEvent:
    """Record the first status of a row the caller has just created."""
    return state_record(instance, actor=actor, from_status="", note=note)


def state_change(
    instance: M,
    *,
    to: str,
    actor: User | None,
    expected: str | None = None,
    reason: str = "",
    note: str = "",
    changes: Mapping[str, Any] | None = None,
) -> tuple[M, StateEvent]:
    """Move `instance` to the status `to` under a row lock and write its history row.

    `expected` is the status the person acting saw: when two people act on the same row
    at once, the second waits for the first's lock and then finds another status, and is
    told so instead of overriding a decision made a moment earlier. `changes` are further
    fields saved with the move (a closing time, who graduated her). Returns the locked,
    saved row and the history row; the caller's `instance` is updated too.
    """
    lifecycle = _lifecycle(instance)
    model = type(instance)
    with transaction.atomic():
        locked = model._default_manager.select_for_update(of=("self",)).get(pk=instance.pk)
        current = getattr(locked, lifecycle.field)
        if expected is not None and current != expected:
            raise lifecycle.error(lifecycle.stale_message % {"status": _label(model, lifecycle, current)})
        if not lifecycle.allows(current, to):
            raise lifecycle.error(
                lifecycle.illegal_message
                % {"status": _label(model, lifecycle, current), "new": _label(model, lifecycle, to)}
            )
        fields = {lifecycle.field: to, **(changes or {})}
        for name, value in fields.items():
            setattr(locked, name, value)
            setattr(instance, name, value)
        update_fields = list(fields)
        if any(getattr(f, "auto_now", False) and f.name == "updated_at" for f in model._meta.concrete_fields):
            update_fields.append("updated_at")
        locked.save(update_fields=update_fields)
        event = state_record(locked, actor=actor, from_status=current, to_status=to, reason=reason, note=note)
    return locked, event
