"""django-q2 entry points: they take ids and call the service of the same name."""

from assignments import services


def pool_release_due() -> int:
    return services.pool_release_due()
