from django.urls import path

from assignments import views

app_name = "consultants"

urlpatterns = [
    path("verify/", views.consultant_lookup, name="lookup"),
    path("verify/<str:code>/", views.consultant_verify, name="verify"),
]
