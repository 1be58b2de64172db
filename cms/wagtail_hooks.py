"""Admin hooks of the top app: Wagtail's reports narrowed to what each role may see (see `cms.admin_views`),
and HR's list of unsent emails (`cms.unsent_emails`)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from cms import unsent_emails
from cms.admin_views import site_history_allowed


@hooks.register("construct_reports_menu")
def hide_site_history_from_scoped_staff(request, menu_items):
    # The address answers 403 to them as well (config.urls); this only keeps the menu honest.
    if not site_history_allowed(request.user):
        menu_items[:] = [item for item in menu_items if item.name != "site-history"]


class UnsentEmailsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(unsent_emails.HR_PERMISSION)


class UnsentEmailsViewSet(ViewSet):
    name = "unsent_emails"
    url_prefix = "unsent-emails"
    icon = "mail"
    menu_label = _("Unsent emails")
    add_to_admin_menu = True
    menu_item_class = UnsentEmailsMenuItem

    def get_urlpatterns(self):
        return [
            path("", unsent_emails.unsent_emails_index, name="index"),
            path("notifications/<int:pk>/", unsent_emails.notification_resend_view, name="notification"),
            path("certificates/<int:pk>/", unsent_emails.certificate_email_resend_view, name="certificate"),
            path(
                "attendance-warnings/<int:pk>/", unsent_emails.attendance_warning_resend_view, name="attendance_warning"
            ),
            path("branch-digests/<int:pk>/", unsent_emails.branch_digest_resend_view, name="branch_digest"),
            # The customers' notices: by plan for the text messages, by batch for the letters.
            path("customer-notices/<int:pk>/", unsent_emails.customer_notices_resend_view, name="customer_notices"),
            path("customer-letters/<int:pk>/", unsent_emails.customer_letters_resend_view, name="customer_letters"),
        ]


@hooks.register("register_admin_viewset")
def register_unsent_emails():
    return UnsentEmailsViewSet()
