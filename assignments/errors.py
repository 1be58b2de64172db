"""The refusals of the pool rules."""

from core.errors import DomainError


class PoolError(DomainError):
    """A request the pool rules do not allow; the message is for the person who asked."""


class BookError(DomainError):
    """A request the customer book refuses: a file it cannot read, an import already under way."""


class RunError(DomainError):
    """A step of an assignment run the rules refuse: approving twice, applying a stale plan, an undo too late."""


class ContactError(DomainError):
    """A contact the workspace refuses to record: a customer not hers, a note that may not be kept."""
