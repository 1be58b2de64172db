"""Admin screens of assignments."""

from wagtail import hooks

from assignments.admin_views.book import CustomerBookGroup
from assignments.admin_views.meetings import ConsultantMeetingViewSet
from assignments.admin_views.pool import PoolViewSet
from assignments.admin_views.runs import CustomerAssignmentGroup


@hooks.register("register_admin_viewset")
def register_pool_admin():
    return PoolViewSet("pool")


@hooks.register("register_admin_viewset")
def register_consultant_meeting_admin():
    return ConsultantMeetingViewSet()


@hooks.register("register_admin_viewset")
def register_customer_book_admin():
    return CustomerBookGroup()


@hooks.register("register_admin_viewset")
def register_customer_assignment_admin():
    return CustomerAssignmentGroup()
