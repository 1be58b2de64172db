"""The scheduled django-q2 jobs: each calls the service of the same name.

Work queued for one row (a certificate to render, a batch to run, a warning to send) is
queued as the service itself, with the row's id as a keyword argument.
"""

from curriculum import services
from curriculum.certificates import services as certificate_services


def cohorts_advance() -> int:
    return services.cohorts_advance()


def attendance_warnings_send() -> int:
    return services.attendance_warnings_send()


def attendance_warnings_retry_due() -> int:
    return services.attendance_warnings_retry_due()


def certificate_emails_retry_due() -> int:
    return certificate_services.certificate_emails_retry_due()
