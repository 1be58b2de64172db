"""The refusals of the pool rules."""

from core.errors import DomainError


class PoolError(DomainError):
    """A request the pool rules do not allow; the message is for the person who asked."""
