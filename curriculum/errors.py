"""The refusals of the training rules."""

from django.utils.translation import gettext as _

from core.errors import DomainError


class TrainingError(DomainError):
    """A request the training rules do not allow; the message is for the person who asked."""


class MarkError(TrainingError):
    """Some cells of the marking grid are invalid; `errors` maps (enrollment id, module id) to a message."""

    def __init__(self, errors: dict[tuple[int, int], str]):
        super().__init__(_("Some marks are not valid; nothing was saved."))
        self.errors = errors


class MilestoneError(TrainingError):
    """A milestone the training rules refuse; `field` names the input the message is about."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field
