"""The refusals of the recruiting rules."""

from core.errors import DomainError


class ApplicationError(DomainError):
    """A request the recruiting rules do not allow; the message is for the person who asked.

    `field` names the form field the refusal is about, when there is one, so that a form
    can show the message next to it.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
