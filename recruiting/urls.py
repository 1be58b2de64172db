from django.urls import path, register_converter

from recruiting import views


class StatusTokenConverter:
    """The status link's secret: URL-safe base64, so anything else is a 404 before any query."""

    regex = "[A-Za-z0-9_-]{32,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(StatusTokenConverter, "status_token")

app_name = "recruiting"

urlpatterns = [
    path("lost-link/", views.status_link_request, name="status_link_request"),
    path("<status_token:token>/", views.status, name="status"),
    path("<status_token:token>/withdraw/", views.status_withdraw, name="status_withdraw"),
    path("<status_token:token>/delete/", views.status_delete, name="status_delete"),
    path("<status_token:token>/book/", views.status_book, name="status_book"),
    path("<status_token:token>/contact/", views.status_contact, name="status_contact"),
    path(
        "<status_token:token>/contact/confirm/<status_token:change_token>/",
        views.status_contact_confirm,
        name="status_contact_confirm",
    ),
    path(
        "<status_token:token>/appointments/<int:appointment_id>/cancel/",
        views.status_cancel_appointment,
        name="status_cancel_appointment",
    ),
]
