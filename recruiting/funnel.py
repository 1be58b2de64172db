"""The recruitment funnel: how many applicants of a round reached each stage, and the conversion."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from recruiting.models import Applicant, ApplicantEvent, Branch, RecruitmentRound
from recruiting.pipeline import FUNNEL_STAGES, ApplicantStatus


@dataclass(frozen=True)
class FunnelStep:
    status: ApplicantStatus
    reached: int
    # Percent of those who reached the stage before; None for the first stage or after nobody.
    conversion: float | None
    # Percent of all applicants, for the width of the bar.
    share: float


@dataclass(frozen=True)
class Funnel:
    title: str
    steps: list[FunnelStep]
    rejected: int
    withdrawn: int
    lapsed: int

    @property
    def applicants(self) -> int:
        return self.steps[0].reached


def _funnel(title: str, reached: dict[str, int]) -> Funnel:
    steps = []
    previous = None
    total = reached.get(ApplicantStatus.SUBMITTED, 0)
    for status in FUNNEL_STAGES:
        count = reached.get(status, 0)
        conversion = None if not previous else round(100 * count / previous, 1)
        share = round(100 * count / total, 1) if total else 0.0
        steps.append(FunnelStep(status=status, reached=count, conversion=conversion, share=share))
        previous = count
    return Funnel(
        title=title,
        steps=steps,
        rejected=reached.get(ApplicantStatus.REJECTED, 0),
        withdrawn=reached.get(ApplicantStatus.WITHDRAWN, 0),
        lapsed=reached.get(ApplicantStatus.LAPSED, 0),
    )


def round_funnel(*, round: RecruitmentRound, applicants: QuerySet[Applicant]) -> dict[str, object]:
    """Return the funnel of `round` over `applicants`, overall and per branch, in two queries.

    A stage counts everyone who ever reached it, read from the events, so those who
    later left the pipeline still count for the stages they passed, and anonymised
    applicants keep counting.
    """
    rows = (
        ApplicantEvent.objects.filter(applicant__in=applicants.filter(round=round))
        .values_list("applicant__preferred_branch", "to_status")
        .annotate(reached=Count("applicant", distinct=True))
        .order_by()
    )
    overall: dict[str, int] = {}
    per_branch: dict[int, dict[str, int]] = {}
    for branch_id, status, reached in rows:
        overall[status] = overall.get(status, 0) + reached
        per_branch.setdefault(branch_id, {})[status] = reached
    branches = Branch.objects.filter(pk__in=per_branch)
    return {
        "overall": _funnel(str(round), overall),
        "branches": [_funnel(branch.name, per_branch[branch.pk]) for branch in branches],
    }
