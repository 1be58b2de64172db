"""Give the bookings made before appointments kept a history their first rows: booked, and cancelled."""

from django.db import migrations


def backfill(apps, schema_editor):
    Appointment = apps.get_model("recruiting", "Appointment")
    AppointmentEvent = apps.get_model("recruiting", "AppointmentEvent")
    for appointment in Appointment.objects.filter(events=None).iterator():
        booked = AppointmentEvent.objects.create(
            appointment=appointment, from_status="", to_status="booked", actor_id=appointment.booked_by_id
        )
        AppointmentEvent.objects.filter(pk=booked.pk).update(created_at=appointment.created_at)
        if appointment.status == "cancelled":
            cancelled = AppointmentEvent.objects.create(
                appointment=appointment, from_status="booked", to_status="cancelled"
            )
            AppointmentEvent.objects.filter(pk=cancelled.pk).update(created_at=appointment.updated_at)


class Migration(migrations.Migration):
    dependencies = [("recruiting", "0010_appointment_history_and_state_events")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
