"""The scheduled django-q2 jobs: each calls the service of the same name.

Work queued for one row (a certificate to render, a batch to run, a warning to send) is
queued as the service itself, with the row's id as a keyword argument.
"""

from curriculum import services


def cohorts_advance() -> int:
    return services.cohorts_advance()


def attendance_warnings_send() -> int:
    return services.attendance_warnings_send()
