"""The scheduled django-q2 jobs of assignments: each calls the service of the same name."""

from assignments import retention, services
from assignments.services import digests, notices


def pool_release_due() -> int:
    return services.pool_release_due()


def personal_data_retention() -> dict[str, int]:
    return retention.personal_data_retention()


def customer_notices_retry_due() -> int:
    return notices.customer_notices_retry_due()


def branch_digests_create() -> int:
    return digests.branch_digests_create()


def branch_digests_retry_due() -> int:
    return digests.branch_digests_retry_due()
