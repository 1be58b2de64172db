"""The consultant's pages: her day, her customers in the order of what is due, a customer and her timeline.

Every page is hers alone: `consultant_view` finds the pool member of the signed-in login
(403 for anyone else, staff included), and a customer is looked up among her own customers
in the book only, so any other id is a 404.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from assignments.errors import ContactError
from assignments.models import Contact, ContactKind, PoolMember, PoolMemberStatus
from assignments.selectors import (
    DAILY_VISITS_GOAL,
    CustomerRow,
    consultant_day,
    customer_rows,
    customer_timeline,
    due_reasons,
    her_customers,
)
from assignments.services import contact_record
from assignments.workspace.forms import ContactForm, CustomerSearchForm

LOGIN_URL = "consultant_account:login"
CUSTOMERS_PER_PAGE = 50


def consultant_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let only a consultant in the pool through, and hand the view her pool member.

    Anonymous visitors go to the workspace's sign-in; a login without the role or without
    a membership of the pool (staff, a superuser) gets a Korean 403 page.
    """

    @never_cache
    @login_required(login_url=LOGIN_URL)
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        member = (
            PoolMember.objects.select_related("branch", "enrollment__applicant")
            .filter(user=request.user)
            .exclude(status=PoolMemberStatus.LEFT)
            .first()
        )
        if member is None or not request.user.has_perm("assignments.use_workspace"):
            return render(request, "assignments/workspace/not_a_consultant.html", status=403)
        return view(request, member, *args, **kwargs)

    return wrapped


def _her_customer_row(member: PoolMember, customer_id: int) -> CustomerRow:
    """Return her customer with the reasons she is due, or 404: another's customer is not there to her."""
    today = timezone.localdate()
    customer = her_customers(member, today=today).filter(pk=customer_id).first()
    if customer is None:
        raise Http404
    return CustomerRow(customer, due_reasons(customer, today=today))


@require_safe
@consultant_view
def today(request: HttpRequest, member: PoolMember) -> HttpResponse:
    """Show her day: the face-to-face goal and its streak, today's contacts, what is still due this week."""
    day = consultant_day(member, today=timezone.localdate())
    return render(
        request,
        "assignments/workspace/today.html",
        {
            "member": member,
            "day": day,
            "goal": DAILY_VISITS_GOAL,
            "first_contact_days": settings.FIRST_CONTACT_DAYS,
            "section": "today",
        },
    )


@require_safe
@consultant_view
def customers(request: HttpRequest, member: PoolMember) -> HttpResponse:
    """List her customers in the order of what is due, searched by name or mobile digits and filtered by line."""
    form = CustomerSearchForm(request.GET)
    search = form.cleaned_data if form.is_valid() else {}
    rows = customer_rows(
        member, today=timezone.localdate(), search=search.get("q", ""), product_line=search.get("line", "")
    )
    page = Paginator(rows, CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assignments/workspace/customers.html",
        {
            "member": member,
            "form": form,
            "page": page,
            "searching": bool(search.get("q") or search.get("line")),
            "query": query.urlencode(),
            "section": "customers",
        },
    )


def _customer_page(request: HttpRequest, member: PoolMember, row: CustomerRow, form: ContactForm) -> HttpResponse:
    customer = row.customer
    return render(
        request,
        "assignments/workspace/customer.html",
        {
            "member": member,
            "row": row,
            "customer": customer,
            "contracts": list(customer.contracts.all()),
            "timeline": customer_timeline(customer),
            "form": form,
            "section": "customers",
        },
    )


@require_safe
@consultant_view
def customer(request: HttpRequest, member: PoolMember, customer_id: int) -> HttpResponse:
    """Show one of her customers: how to reach her, her contracts, what is due, the contact form, her timeline."""
    row = _her_customer_row(member, customer_id)
    kind = request.GET.get("kind")
    form = ContactForm(initial={"kind": kind} if kind in ContactKind.values else {})
    return _customer_page(request, member, row, form)


@require_POST
@consultant_view
def contact_new(request: HttpRequest, member: PoolMember, customer_id: int) -> HttpResponse:
    """Record a contact from the form of her customer's page; a refusal shows the page again with its reason."""
    row = _her_customer_row(member, customer_id)
    form = ContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            contact, created = contact_record(
                consultant=member,
                customer=row.customer,
                kind=data["kind"],
                reached=data["reached"],
                outcome=data["outcome"],
                note=data["note"],
                next_step=data["next_step"],
                next_step_on=data["next_step_on"],
            )
        except ContactError as error:
            form.add_error(None, str(error))
        else:
            _say_recorded(request, member, contact, created)
            return redirect("workspace:customer", customer_id=row.customer.pk)
    return _customer_page(request, member, row, form)


def _say_recorded(request: HttpRequest, member: PoolMember, contact: Contact, created: bool) -> None:
    if not created:
        messages.info(request, _("You had just recorded this contact; it is saved once."))
        return
    messages.success(request, _("%(kind)s recorded.") % {"kind": contact.get_kind_display()}, extra_tags="recorded")
    if contact.kind == ContactKind.VISIT and contact.reached:
        met_today = Contact.objects.filter(
            consultant=member, kind=ContactKind.VISIT, reached=True, created_at__date=timezone.localdate()
        ).count()
        if met_today == DAILY_VISITS_GOAL:
            messages.success(request, _("Today's goal is met: you met a customer face to face."), extra_tags="goal")
