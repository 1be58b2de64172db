"""django-q2 entry points: they take ids and call the service of the same name."""

from curriculum import services


def attendance_warnings_send() -> int:
    return services.attendance_warnings_send()


def attendance_warning_send(warning_id: int) -> bool:
    return services.attendance_warning_send(warning_id=warning_id)


def certificate_render(certificate_id: int) -> bool:
    return services.certificate_render(certificate_id=certificate_id)


def certificate_batch_run(batch_id: int) -> int:
    return services.certificate_batch_run(batch_id=batch_id)
