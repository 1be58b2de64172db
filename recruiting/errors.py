"""The refusals of the recruiting rules."""

from core.errors import DomainError


class ApplicationError(DomainError):
    """A request the recruiting rules do not allow; the message is for the person who asked."""
