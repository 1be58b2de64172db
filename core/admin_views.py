"""HR's screen of locked admin sign-ins: the locks in force, past lockouts, and lifting one lock."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.login_locks import HISTORY_DAYS, login_lock_lift, login_lockouts_recent, login_locks_current


@permission_required("axes.view_accessattempt", raise_exception=True)
def login_locks_index(request: HttpRequest) -> HttpResponse:
    """List the usernames and addresses locked now, and the lockouts of the last weeks."""
    return TemplateResponse(
        request,
        "core/admin/login_locks.html",
        {
            "page_title": _("Sign-in locks"),
            "header_icon": "lock",
            "locks": login_locks_current(),
            "lockouts": login_lockouts_recent(),
            "history_days": HISTORY_DAYS,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            "can_unlock": request.user.has_perm("axes.delete_accessattempt"),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("axes.delete_accessattempt", raise_exception=True)
def login_lock_unlock(request: HttpRequest) -> HttpResponse:
    """Ask to confirm lifting the lock of one username or address (GET), then lift it (POST)."""
    source = request.POST if request.method == "POST" else request.GET
    username, address = source.get("username", "").strip(), source.get("address", "").strip()
    if bool(username) == bool(address):
        raise Http404
    if request.method == "POST":
        login_lock_lift(actor=request.user, username=username, address=address)
        messages.success(request, _("Sign-in unlocked for %(who)s.") % {"who": username or address})
        return redirect("login_locks:index")
    return TemplateResponse(
        request,
        "core/admin/login_lock_unlock.html",
        {"page_title": _("Unlock sign-in"), "header_icon": "lock-open", "username": username, "address": address},
    )
