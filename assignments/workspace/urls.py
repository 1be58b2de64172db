"""The consultant's workspace under /my/ (namespace `workspace`), and her sign-in pages (`consultant_account`)."""

from django.urls import include, path

from assignments.workspace import account, views

workspace_patterns = [
    path("", views.today, name="today"),
    path("customers/", views.customers, name="customers"),
    path("customers/<int:customer_id>/", views.customer, name="customer"),
    path("customers/<int:customer_id>/contacts/", views.contact_new, name="contact_new"),
]

# Open to anyone: the pages a consultant uses before she is signed in.
account_patterns = [
    path("login/", account.login, name="login"),
    path("logout/", account.logout, name="logout"),
    path("password/", account.password, name="password"),
    path("password/sent/", account.password_sent, name="password_sent"),
    path("password/<uidb64>/<token>/", account.password_set, name="password_set"),
]

urlpatterns = [
    path("", include((workspace_patterns, "workspace"))),
    path("", include((account_patterns, "consultant_account"))),
]
