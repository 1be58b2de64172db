"""iCalendar invitations (RFC 5545) for appointments, attached to the confirmation emails."""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from recruiting.models import Appointment, AppointmentStatus

PRODUCT_ID = "-//CS RC recruiting//appointments//KO"


def appointment_ics(appointment: Appointment) -> bytes:
    """Return an invitation to the appointment, or its cancellation once it is cancelled.

    The UID stays the same across reschedules and SEQUENCE counts up, so a calendar
    app replaces the earlier invitation instead of adding a second event.
    """
    slot = appointment.slot
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"appointment-{appointment.pk}@{urlsplit(settings.SITE_URL).hostname}")
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(slot.starts_at))
    event.add("dtend", timezone.localtime(slot.ends_at))
    event.add("summary", f"CS RC {slot.get_kind_display()} · {slot.branch}")
    event.add("location", slot.location)
    event.add("description", f"{slot.branch} · {slot.location} · {slot.branch.phone}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
