from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from core import admin_views


class LoginLocksMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("axes.view_accessattempt")


class LoginLocksViewSet(ViewSet):
    name = "login_locks"
    url_prefix = "login-locks"
    icon = "lock"
    menu_label = _("Sign-in locks")
    add_to_settings_menu = True
    menu_item_class = LoginLocksMenuItem

    def get_urlpatterns(self):
        return [
            path("", admin_views.login_locks_index, name="index"),
            path("unlock/", admin_views.login_lock_unlock, name="unlock"),
        ]


@hooks.register("register_admin_viewset")
def register_login_locks():
    return LoginLocksViewSet()
