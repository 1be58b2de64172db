"""Staff scope: the branch a recruiter or branch manager works for, and the filter it sets on what they see."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from recruiting.models.places import Branch


class StaffProfile(models.Model):
    """The branch a recruiter or branch manager works for; it scopes what they see."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("Recruiters and branch managers see only this branch's applicants"),
    )

    class Meta:
        verbose_name = _("staff branch")
        verbose_name_plural = _("staff branches")

    def __str__(self) -> str:
        return f"{self.user} · {self.branch or '-'}"


def in_staff_branch(queryset: models.QuerySet, user, field: str = "branch_id") -> models.QuerySet:
    """Return the rows of `user`'s branch: every row for HR, none for staff without a branch."""
    if user.has_perm("recruiting.view_all_branches"):
        return queryset
    branch_id = staff_branch_id(user)
    return queryset.filter(**{field: branch_id}) if branch_id else queryset.none()


def staff_branch_id(user) -> int | None:
    """Return the id of the branch `user` works for, or None; cached on the user object."""
    if not hasattr(user, "_staff_branch_id"):
        user._staff_branch_id = StaffProfile.objects.filter(user=user).values_list("branch_id", flat=True).first()
    return user._staff_branch_id
