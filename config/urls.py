from django.conf import settings
from django.conf.urls.static import static
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.contrib.sitemaps import Sitemap
from wagtail.documents import urls as wagtaildocs_urls
from wagtailcache.cache import cache_page

from cms.admin_views import SiteHistoryView
from cms.apply_cache import before_routing

urlpatterns = [
    # Ahead of Wagtail's own, at the same address: the site history is refused to scoped staff.
    path("admin/reports/site-history/", require_admin_access(SiteHistoryView.as_view())),
    path("admin/reports/site-history/results/", require_admin_access(SiteHistoryView.as_view(results_only=True))),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": Sitemap}}),
    path("status/", include("recruiting.urls")),
    path("certificates/", include("curriculum.urls")),
    # The page that confirms a consultant is real, linked from each customer's notice.
    path("consultants/", include("assignments.urls")),
    # The consultant's workspace and her sign-in (assignments.workspace).
    path("my/", include("assignments.workspace.urls")),
    # Wagtail's own /_util/ views (the password form of a private page posts there) come
    # before the cached serve route below, whose pattern matches their addresses too.
    *[route for route in wagtail_urls.urlpatterns if route.name != "wagtail_serve"],
    # Public pages are served from the shared page cache to anonymous visitors;
    # cms.signals clears it whenever an editor publishes.
    # The apply page carries a CSRF token per answer, so it is kept apart (cms.apply_cache).
    re_path(wagtail_urls.serve_pattern, before_routing(cache_page(wagtail_views.serve)), name="wagtail_serve"),
]

if settings.DEBUG:
    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
