"""The consultant's sign-in, sign-out, and the emailed link that sets her password.

Her login is made when she is released into the pool, with no usable password
(assignments.services.pool). She sets it herself: she types the email of her application
on "set my password", and Django's password-reset link (signed, single use, valid
PASSWORD_RESET_TIMEOUT) reaches her inbox. The same page serves a forgotten password.
django-axes counts failed sign-ins here as on the admin's.
"""

import unicodedata

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from assignments.models import PoolMemberStatus
from core.ratelimit import client_address, over_limit, too_many_requests

TEMPLATES = "assignments/workspace/"


class ConsultantLoginForm(AuthenticationForm):
    """Django's sign-in form, worded for a consultant, whose username is her mobile number."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username (your mobile number, digits only)")
        self.fields["username"].widget.attrs.update(inputmode="numeric", autocomplete="username")


class ConsultantLoginView(auth_views.LoginView):
    template_name = TEMPLATES + "login.html"
    form_class = ConsultantLoginForm
    next_page = "workspace:today"


class ConsultantPasswordForm(PasswordResetForm):
    """Django's password-reset form for the consultants of the pool only, with no usable password yet too.

    Django's own form skips a login without a usable password; a consultant's starts that
    way, and this link is how she sets her first one. Staff reset theirs elsewhere.
    """

    def get_users(self, email: str):
        users = (
            get_user_model()
            .objects.filter(email__iexact=email, is_active=True, pool_member__isnull=False)
            .exclude(pool_member__status=PoolMemberStatus.LEFT)
        )
        wanted = _casefolded(email)
        return (user for user in users if _casefolded(user.email) == wanted)


def _casefolded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


class ConsultantPasswordView(auth_views.PasswordResetView):
    """Ask for the link; rate-limited per address and per email, and the same answer whoever asks."""

    template_name = TEMPLATES + "password.html"
    form_class = ConsultantPasswordForm
    subject_template_name = "emails/consultant_password/subject.txt"
    email_template_name = "emails/consultant_password/body.txt"
    html_email_template_name = "emails/consultant_password/body.html"
    success_url = reverse_lazy("consultant_account:password_sent")

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if over_limit("consultant_password:address", client_address(request)):
            return too_many_requests(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: ConsultantPasswordForm) -> HttpResponse:
        # Over the limit for one address, nothing more is sent, and the answer stays the same.
        if over_limit("consultant_password:email", _casefolded(form.cleaned_data["email"])):
            return redirect(self.success_url)
        self.extra_email_context = {
            "site_url": settings.SITE_URL,
            "days": settings.PASSWORD_RESET_TIMEOUT // (24 * 3600),
        }
        return super().form_valid(form)


class ConsultantPasswordSetView(auth_views.PasswordResetConfirmView):
    """Set the password from the emailed link, then go straight to her day, signed in."""

    template_name = TEMPLATES + "password_set.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("workspace:today")

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. From now on, sign in with it."))
        return response


login = ConsultantLoginView.as_view()
logout = auth_views.LogoutView.as_view(next_page="consultant_account:login")
password = never_cache(ConsultantPasswordView.as_view())
password_sent = auth_views.PasswordResetDoneView.as_view(template_name=TEMPLATES + "password_sent.html")
password_set = ConsultantPasswordSetView.as_view()
