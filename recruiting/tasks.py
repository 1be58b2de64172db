"""django-q2 entry points: they take ids and call the service of the same name."""

from recruiting import services


def notification_send(notification_id: int) -> bool:
    return services.notification_send(notification_id=notification_id)


def appointment_reminders_send() -> int:
    return services.appointment_reminders_send()


def applicants_anonymise_due() -> int:
    return services.applicants_anonymise_due()
