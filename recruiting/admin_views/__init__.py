"""The recruiting screens in the Wagtail admin: applicants, the pipeline board and funnel, and slots."""

from recruiting.admin_views.applicants import ApplicantViewSet
from recruiting.admin_views.overview import FunnelPanel
from recruiting.admin_views.slots import SlotViewSet

__all__ = ["ApplicantViewSet", "FunnelPanel", "SlotViewSet"]
