from django.urls import path

from curriculum import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.certificate_lookup, name="lookup"),
    path("verify/<str:code>/", views.certificate_verify, name="verify"),
    path("download/<str:token>/", views.certificate_download, name="download"),
]
