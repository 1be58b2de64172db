"""Response headers, request limits and HEAD answers that every page gets, public site and admin alike."""

from collections.abc import Callable

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

# Browser features no page of ours uses; denying them keeps an injected script or a
# framed page from asking for them.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class HeadWithoutBodyMiddleware:
    """Answer a HEAD request with the headers a GET would get and no body (RFC 9110, 9.3.2).

    Django leaves dropping the body to the server. runserver drops it quietly; gunicorn drops
    it too but logs "WSGI app sent body bytes on a no-body response" for every HEAD request
    (link checkers and uptime probes send many). First in MIDDLEWARE, so every other
    middleware sees the full response and Content-Length stays the length a GET receives.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method == "HEAD":
            if response.streaming:
                # The file behind a FileResponse stays registered for closing.
                response.streaming_content = []
            else:
                response.content = b""
        return response


class PermissionsPolicyMiddleware:
    """Add the Permissions-Policy header to every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """Send the site's policy, loosened only where the page cannot work without it.

    Wagtail's admin templates still write inline scripts (date pickers, inline panels)
    and style attributes, so under /admin/ inline script and style are allowed; the
    public site allows neither. The 500 page carries its own inline style because it
    must render when static files do not.
    """

    def get_policy_parts(self, request: HttpRequest, response: HttpResponse, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(reverse("wagtailadmin_home")):
            parts.update = {
                **(parts.update or {}),
                "script-src": [UNSAFE_INLINE],
                "style-src": [UNSAFE_INLINE],
                "img-src": ["blob:"],
            }
        elif response.status_code == 500:
            parts.update = {**(parts.update or {}), "style-src": [UNSAFE_INLINE]}
        return parts


class RequestBodyLimitMiddleware:
    """Refuse a request whose body is larger than REQUEST_BODY_MAX_BYTES, before anything reads it.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count uploaded files, so without this
    a form with no file field would still receive (and spool to disk) any file posted to it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_BODY_MAX_BYTES:
            context = {"limit_mb": settings.UPLOAD_MAX_MB}
            return render(request, "core/request_too_large.html", context, status=413)
        return self.get_response(request)
