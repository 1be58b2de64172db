"""Consents: the notices shown on the application form, their frozen versions, and what each applicant agreed to."""

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from core.validators import reject_rrn
from recruiting.models.applicants import Applicant


class ConsentNotice(models.Model):
    """A consent notice (PIPA) shown on the application form, edited by editors.

    Every saved change to its wording becomes a new numbered, immutable
    ConsentNoticeVersion; an applicant's consent points at the version they saw.
    """

    key = models.SlugField(
        _("key"),
        max_length=40,
        unique=True,
        help_text=_("A fixed name for the notice, e.g. application"),
        validators=[reject_rrn],
    )
    title = models.CharField(
        _("title"), max_length=120, help_text=_("e.g. 개인정보 수집·이용 동의 (필수)"), validators=[reject_rrn]
    )
    is_required = models.BooleanField(
        _("required"), default=False, help_text=_("Only the consent needed to process an application is required")
    )
    purpose = models.TextField(_("purpose"), help_text=_("Why the data is collected and used"), validators=[reject_rrn])
    items = models.TextField(
        _("items collected"), help_text=_("Every item of personal data collected"), validators=[reject_rrn]
    )
    retention = models.TextField(
        _("retention period"),
        help_text=_("How long the data is kept and when it is destroyed"),
        validators=[reject_rrn],
    )
    refusal = models.TextField(
        _("right to refuse"),
        help_text=_("That the applicant may refuse, and what follows if they do"),
        validators=[reject_rrn],
    )
    is_active = models.BooleanField(_("shown on the form"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    panels = [
        FieldPanel("title"),
        FieldPanel("key"),
        FieldPanel("is_required"),
        FieldPanel("purpose"),
        FieldPanel("items"),
        FieldPanel("retention"),
        FieldPanel("refusal"),
        FieldPanel("is_active"),
        FieldPanel("sort_order"),
    ]
    VERSIONED_FIELDS = ["title", "is_required", "purpose", "items", "retention", "refusal"]

    class Meta:
        # The table keeps the name it had when the public site's app held the model.
        db_table = "cms_consentnotice"
        ordering = ["sort_order", "pk"]
        verbose_name = _("consent notice")
        verbose_name_plural = _("consent notices")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            latest = self.versions.order_by("-number").first() if self.pk else None
            changed = latest is None or any(
                getattr(latest, field) != getattr(self, field) for field in self.VERSIONED_FIELDS
            )
            if changed:
                self.version = (latest.number if latest else 0) + 1
            super().save(*args, **kwargs)
            if changed:
                ConsentNoticeVersion.objects.create(
                    notice=self,
                    number=self.version,
                    **{field: getattr(self, field) for field in self.VERSIONED_FIELDS},
                )

    @property
    def current_version(self) -> "ConsentNoticeVersion":
        return self.versions.get(number=self.version)


class ConsentNoticeVersion(models.Model):
    """The exact wording of a consent notice as applicants saw it; never changed once written."""

    notice = models.ForeignKey(ConsentNotice, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=120)
    is_required = models.BooleanField(_("required"))
    purpose = models.TextField(_("purpose"))
    items = models.TextField(_("items collected"))
    retention = models.TextField(_("retention period"))
    refusal = models.TextField(_("right to refuse"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "cms_consentnoticeversion"
        ordering = ["notice", "number"]
        verbose_name = _("consent notice version")
        verbose_name_plural = _("consent notice versions")
        constraints = [models.UniqueConstraint(fields=["notice", "number"], name="one_number_per_notice_version")]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("A consent notice version is immutable; edit the notice to make a new one.")
        super().save(*args, **kwargs)


class ApplicantConsent(models.Model):
    """What the applicant agreed to (or declined), against the notice version they saw."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="consents")
    notice_version = models.ForeignKey(ConsentNoticeVersion, on_delete=models.PROTECT, related_name="+")
    given = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(fields=["applicant", "notice_version"], name="one_consent_per_notice_version"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_version}: {'✓' if self.given else '✗'}"
