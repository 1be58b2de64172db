"""Admin screens of assignments."""

from wagtail import hooks

from assignments.admin_views import PoolViewSet


@hooks.register("register_admin_viewset")
def register_pool_admin():
    return PoolViewSet("pool")
