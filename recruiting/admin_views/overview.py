"""The pipeline at a glance: the board of stages, a round's funnel, and the dashboard's funnel panel.

Each reads applicants through `Applicant.objects.visible_to(user)`, so counts stay within
the user's branch.
"""

from django.contrib.auth.decorators import permission_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.admin.ui.components import Component

from recruiting import funnel
from recruiting.models import Applicant, RecruitmentRound
from recruiting.pipeline import CLOSING_MOVES, ApplicantStatus, staff_moves_from

BOARD_CARDS_PER_STAGE = 25


@permission_required("recruiting.view_applicant", raise_exception=True)
def applicant_board(request: HttpRequest) -> HttpResponse:
    """Show one column per stage with its count and its most recent cards."""
    rounds = list(RecruitmentRound.objects.all())
    round_pk = request.GET.get("round")
    selected = next((r for r in rounds if str(r.pk) == round_pk), rounds[0] if rounds else None)
    visible = Applicant.objects.visible_to(request.user).filter(round=selected)
    counts = dict(visible.order_by().values_list("status").annotate(n=Count("pk")))
    columns = []
    for status in ApplicantStatus:
        cards = list(visible.filter(status=status).select_related("preferred_branch")[:BOARD_CARDS_PER_STAGE])
        for card in cards:
            card.moves = [move for move in staff_moves_from(card.status) if move not in CLOSING_MOVES]
        columns.append({"status": status, "count": counts.get(status, 0), "cards": cards})
    return TemplateResponse(
        request,
        "recruiting/admin/board.html",
        {
            "page_title": _("Pipeline board"),
            "header_icon": "table",
            "rounds": rounds,
            "selected_round": selected,
            "columns": columns,
            "cards_per_stage": BOARD_CARDS_PER_STAGE,
            "can_change": request.user.has_perm("recruiting.change_applicant"),
        },
    )


@permission_required("recruiting.view_applicant", raise_exception=True)
def round_funnel(request: HttpRequest, round_pk: int) -> HttpResponse:
    """Show how many applicants of a round reached each stage, overall and per branch."""
    round_ = get_object_or_404(RecruitmentRound, pk=round_pk)
    report = funnel.round_funnel(round=round_, applicants=Applicant.objects.visible_to(request.user))
    return TemplateResponse(
        request,
        "recruiting/admin/funnel.html",
        {
            "page_title": _("Funnel"),
            "page_subtitle": str(round_),
            "header_icon": "view",
            "round": round_,
            "report": report,
        },
    )


class FunnelPanel(Component):
    """The dashboard panel: the funnel of every open round, within the user's scope."""

    name = "recruiting_funnel"
    order = 50
    template_name = "recruiting/admin/funnel_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        visible = Applicant.objects.visible_to(self.user)
        return {
            "funnels": [
                (round_, funnel.round_funnel(round=round_, applicants=visible)["overall"])
                for round_ in RecruitmentRound.objects.open()
            ]
        }
