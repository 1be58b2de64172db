"""The base of the errors that a service raises when a rule of the domain refuses a request."""


class DomainError(Exception):
    """Refuse a request that breaks a rule of the domain; the message is shown to the person who asked.

    Each app raises its own subclass (`ApplicationError`, `TrainingError`, `PoolError`), so a
    caller can catch the refusals of one app, or every refusal at once.
    """
