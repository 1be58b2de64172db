"""Email changes: a new address an applicant asked for, waiting to be confirmed from that address."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.validators import reject_rrn
from recruiting.models.applicants import Applicant, new_status_token


class EmailChange(models.Model):
    """A new email address the applicant asked for; it replaces the old one once confirmed from that address."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="email_changes")
    email = models.EmailField(_("new email"), max_length=254, validators=[reject_rrn])
    token = models.CharField(max_length=64, unique=True, default=new_status_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("email change")
        verbose_name_plural = _("email changes")

    def __str__(self) -> str:
        return f"{self.applicant_id} {self.created_at:%Y-%m-%d %H:%M}"
