"""A generic admin viewset for records that are only read: a listing and a detail page."""

from django.urls import path
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.viewsets.model import ModelViewSet


class ReadOnlyModelViewSet(ModelViewSet):
    """A listing with a detail page and nothing else: no add, edit, copy, delete or history.

    Subclasses list their URL patterns; links to an object (from usage listings, for
    example) point at its detail page.
    """

    inspect_view_enabled = True
    copy_view_enabled = False

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )

    def register_reference_index(self):
        # These rows are records, not content: tracking what they reference would cost
        # queries on every write (an access record per page view) for no screen that reads it.
        pass

    @property
    def url_finder_class(self):
        return type(
            "_DetailURLFinder",
            (ModelAdminURLFinder,),
            {"permission_policy": self.permission_policy, "edit_url_name": self.get_url_name("inspect")},
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.inspect_view, name="inspect"),
        ]
