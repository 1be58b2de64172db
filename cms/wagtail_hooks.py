"""Admin hooks of the top app: Wagtail's reports narrowed to what each role may see (see `cms.admin_views`)."""

from wagtail import hooks

from cms.admin_views import site_history_allowed


@hooks.register("construct_reports_menu")
def hide_site_history_from_scoped_staff(request, menu_items):
    # The address answers 403 to them as well (config.urls); this only keeps the menu honest.
    if not site_history_allowed(request.user):
        menu_items[:] = [item for item in menu_items if item.name != "site-history"]
