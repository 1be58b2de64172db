"""The public side of certificates: anyone holding one can check it is genuine."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.ratelimit import client_address, over_limit, too_many_requests
from curriculum.certificates.services import certificate_for_download_token
from curriculum.certificates.storage import private_pdf_response
from curriculum.forms import CertificateLookupForm
from curriculum.models import Certificate, CertificateStatus


@never_cache
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Show whether the certificate with this code is valid, revoked or superseded, with the name masked."""
    if over_limit("certificate_verify:address", client_address(request)):
        return too_many_requests(request)
    certificate = Certificate.objects.select_related("replaced_by").filter(verification_code=code.upper()).first()
    if certificate is None:
        raise Http404
    return render(request, "curriculum/certificate_verify.html", {"certificate": certificate})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def certificate_lookup(request: HttpRequest) -> HttpResponse:
    """Look a certificate up by its number and verification code (both, so numbers alone reveal nothing)."""
    form = CertificateLookupForm(request.POST or None)
    if request.method == "POST":
        if over_limit("certificate_verify:address", client_address(request)):
            return too_many_requests(request)
        if form.is_valid():
            return redirect("certificates:verify", form.cleaned_data["certificate"].verification_code)
    return render(request, "curriculum/certificate_lookup.html", {"form": form})


@never_cache
def certificate_download(request: HttpRequest, token: str) -> HttpResponse:
    """Hand the graduate their certificate's PDF through the private link of their email."""
    if over_limit("certificate_verify:address", client_address(request)):
        return too_many_requests(request)
    certificate = certificate_for_download_token(token)
    if certificate is None:
        return render(request, "curriculum/certificate_link_expired.html", status=410)
    # A revoked or replaced certificate's paper must not circulate again, even through its own
    # link; a destroyed one has no file left.
    if certificate.status != CertificateStatus.VALID or not certificate.pdf:
        return render(request, "curriculum/certificate_no_longer_valid.html", {"certificate": certificate}, status=410)
    return private_pdf_response(
        certificate.pdf, filename=f"수료증-{certificate.year}-{certificate.serial:04d}.pdf", as_attachment=True
    )
