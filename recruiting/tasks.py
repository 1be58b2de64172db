"""django-q2 entry points of the scheduled jobs: each takes no argument and calls the service of its name.

Notifications are queued by the service itself (`services.notification_send`, by reference).
"""

from recruiting import services


def appointment_reminders_send() -> int:
    return services.appointment_reminders_send()


def notifications_retry_due() -> int:
    return services.notifications_retry_due()
