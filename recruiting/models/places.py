"""Where recruiting happens: the provinces, the CS branches, and the districts each branch serves."""

from urllib.parse import quote

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.validators import reject_rrn


class Province(models.TextChoices):
    SEOUL = "seoul", _("Seoul")
    GYEONGGI = "gyeonggi", _("Gyeonggi-do")


class Branch(models.Model):
    """A CS branch (CS지점): where consultants are trained and work from."""

    name = models.CharField(_("name"), max_length=40, unique=True, help_text=_("e.g. 강서"), validators=[reject_rrn])
    slug = models.SlugField(
        _("slug"), max_length=40, unique=True, help_text=_("Used in URLs, e.g. gangseo"), validators=[reject_rrn]
    )
    address = models.CharField(_("address"), max_length=200, validators=[reject_rrn])
    phone = models.CharField(_("phone"), max_length=20, help_text=_("e.g. 02-2187-2663"), validators=[reject_rrn])
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return _("%(name)s CS branch") % {"name": self.name}

    @property
    def map_url(self) -> str:
        """Return a link that opens the branch's address in Naver Map."""
        return f"https://map.naver.com/p/search/{quote(self.address)}"


class District(models.Model):
    """A 시군구 of Seoul or Gyeonggi where applicants may live.

    The list is public administrative data installed by a migration; which branch
    serves a district is editable data, used to suggest a branch to an applicant.
    """

    province = models.CharField(_("province"), max_length=10, choices=Province.choices)
    name = models.CharField(_("district"), max_length=20)
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("serving branch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="districts",
    )

    class Meta:
        ordering = ["province", "name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="district_unique_per_province"),
        ]

    def __str__(self) -> str:
        return f"{self.get_province_display()} {self.name}"
