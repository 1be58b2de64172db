"""The public side of assignments: the page that confirms a consultant is real, against voice phishing.

A customer told "your new manager is …" by a text message or a letter opens the link in it,
or types its code, and sees what we would tell her on the phone: the consultant's masked
name, her branch, whether she is registered with the association and working now, and
the branch's phone to call. Nothing else, and nothing for a code we never gave.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from assignments.forms import CODE, ConsultantLookupForm, normalise_code
from assignments.models import PoolMember, PoolMemberStatus
from core.ratelimit import client_address, over_limit, too_many_requests
from curriculum.models import mask_name
from recruiting.models import Branch

RATE_LIMIT = "consultant_verify:address"


@never_cache
@require_http_methods(["GET", "HEAD"])
def consultant_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Show whether the consultant with this code works with us, with her name masked."""
    if over_limit(RATE_LIMIT, client_address(request)):
        return too_many_requests(request)
    code = normalise_code(code)
    member = None
    if CODE.fullmatch(code):
        member = (
            PoolMember.objects.select_related("branch", "enrollment__applicant").filter(verification_code=code).first()
        )
    if member is None:
        # Our own 404, in Korean, with every branch's phone: a code we never gave may come from a fraudster.
        return render(request, "assignments/consultant_unknown.html", {"branches": Branch.objects.all()}, status=404)
    applicant = member.enrollment.applicant
    context = {
        "member": member,
        # A record destroyed at the end of its retention names nobody; she left long before.
        "masked_name": None if applicant.anonymised_at else mask_name(applicant.name),
        "branch": member.branch,
        "working": member.status == PoolMemberStatus.ACTIVE,
        "on_leave": member.status == PoolMemberStatus.ON_LEAVE,
        "left": member.status == PoolMemberStatus.LEFT,
    }
    return render(request, "assignments/consultant_verify.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def consultant_lookup(request: HttpRequest) -> HttpResponse:
    """Take the code a customer types and open its page."""
    form = ConsultantLookupForm(request.POST or None)
    if request.method == "POST":
        if over_limit(RATE_LIMIT, client_address(request)):
            return too_many_requests(request)
        if form.is_valid():
            return redirect("consultants:verify", form.cleaned_data["code"])
    return render(request, "assignments/consultant_lookup.html", {"form": form})
