"""The scheduled django-q2 job of assignments: it calls the service of the same name."""

from assignments import services


def pool_release_due() -> int:
    return services.pool_release_due()
