"""Wagtail's own admin reports, narrowed to what our roles may see.

Wagtail's site history lists the log entries of every object of a model to anyone holding
any permission on that model: a recruiter, who sees the pool of her own branch only, would
read the names of every branch's members there and export them. The report cannot be
filtered by branch (its rows come from several log models at once), so staff whose view is
limited to a branch or a cohort do not get it at all; `config.urls` puts this view in
front of Wagtail's at the same address.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from wagtail.admin.views.reports.audit_logging import LogEntriesView

# The permissions that show a person only the rows of her own branch or cohort.
SCOPED_PERMISSIONS = (
    "recruiting.view_applicant",
    "recruiting.view_slot",
    "assignments.view_poolmember",
    "curriculum.view_cohort",
    "curriculum.mark_cohort",
)


def site_history_allowed(user) -> bool:
    """Return whether `user` may read the site history: HR and superusers, and staff who see nothing scoped."""
    if user.has_perm("recruiting.view_all_branches"):
        return True
    return not any(user.has_perm(permission) for permission in SCOPED_PERMISSIONS)


class SiteHistoryView(LogEntriesView):
    """Wagtail's site history report and its exports, refused to staff whose view is scoped."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not site_history_allowed(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
