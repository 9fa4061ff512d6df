"""Thin views: check who may do it, validate with a form, call one service or selector, render."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klantvriend.aftercare.selectors import call_after_purchase
from klantvriend.core.audit import AuditAction
from klantvriend.core.care_settings import member_sees_amounts
from klantvriend.core.errors import ChangedMeanwhile, NotFound, OwnerOnly
from klantvriend.core.language import own_language
from klantvriend.core.members import membership_list, staff_name
from klantvriend.core.money import amount_shown, cents_for_typing
from klantvriend.core.rows import IdsFirst
from klantvriend.core.selectors import membership_get, membership_list_for_user
from klantvriend.core.shown import duration_shown, moment_shown
from klantvriend.core.timeline import PROFILE_KINDS
from klantvriend.core.undo import Undoable, undoable_rows
from klantvriend.core.versions import record_version
from klantvriend.customers import selectors, services
from klantvriend.customers.important_dates import celebrated_on
from klantvriend.customers.models import AcquisitionChannel, ConsentSource, Customer
from klantvriend.customers.privacy_requests import privacy_requests_open_for
from klantvriend.importers import privacy
from klantvriend.importers.export import customer_list_csv
from klantvriend.importers.privacy import audit_personal_data_viewed
from klantvriend.insights.models import STAYED_AWAY, Segment, Stage
from klantvriend.insights.selectors import (
    LIST_ORDERINGS,
    Bought,
    InsightTotals,
    contact_planned_among,
    customer_order_parts,
    customers_with_insight,
    figures_among,
    insight_choice,
    insight_totals_kept,
    one_offs_start,
)

from .care import care_profile_context
from .context_processors import LANGUAGE_OFFER_KEY
from .forms import (
    ContactMomentEditForm,
    ContactMomentForm,
    CustomerForm,
    ImportantDateForm,
    PurchaseEditForm,
    PurchaseForm,
    QuickAddForm,
    ThrottledLoginForm,
)
from .links import safe_next
from .middleware import SESSION_KEY

PAGE_SIZE = 50
# The customers a download reads at a time: its memory, whatever the size of the list.
CSV_PAGE_SIZE = 2000
# The orders the customer list knows; another is read as by name.
LIST_ORDERS = {"name", "-last_purchase", "-customer_since", *LIST_ORDERINGS}
SUGGESTIONS = 8
CHANGED_MEANWHILE = gettext_lazy(
    "Someone else saved this customer while you were editing it. Their changes are in the form "
    "now. Where you both changed the same field, your input is in the field and what is stored "
    "now is below it: check those fields and save again to keep your input."
)


def member_required(view):
    """Signed in and a member of a business; otherwise the login or the "no business" page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.htmx:
                # The session ran out while a page was open: htmx would put the login page
                # inside the form it sent. The whole page goes there, and back after logging in.
                back = request.htmx.current_url_abs_path or reverse("web:today")
                return HttpResponse(headers={"HX-Redirect": redirect_to_login(back).url})
            return redirect_to_login(request.get_full_path())
        if request.business is None:
            return render(request, "web/no_business.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def owner_required(view):
    @member_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.membership.is_owner:
            raise OwnerOnly
        return view(request, *args, **kwargs)

    wrapper.owner_only = True  # read by the roles test, which tries every such view as staff
    return wrapper


def amounts_required(view):
    """For pages of customers' amounts and model figures (the insights): an owner, or staff
    while the care setting lets them see amounts (member_sees_amounts); others get the 403 of
    an owner page. No `owner_only` mark: with the setting on, staff do reach these."""

    @member_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not member_sees_amounts(business=request.business, membership=request.membership):
            raise OwnerOnly
        return view(request, *args, **kwargs)

    return wrapper


def add_service_errors(form, error: ValidationError) -> None:
    """Puts a service's refusal on the form, on the field it concerns where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitoring: the process answers. Touches no database on purpose,
    which also makes it the floor that bench/web_bench.py measures the pages against."""
    return HttpResponse("ok", content_type="text/plain")


class KlantvriendLoginView(LoginView):
    template_name = "web/login.html"
    authentication_form = ThrottledLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        """Logged in, a member who picked a language on this page that their account does not
        read (none chosen of their own, and the business's another) is offered it on the next
        page: a stylist who switched to English here read Today in Dutch. Offered, not saved:
        on a shared tablet the switch may have been the colleague's before."""
        response = super().form_valid(form)
        chosen = self.request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        user = form.get_user()
        if chosen in dict(settings.LANGUAGES) and not own_language(user=user):
            first = membership_list_for_user(user=user).first()
            if first is not None and first.business.language != chosen:
                self.request.session[LANGUAGE_OFFER_KEY] = chosen
        return response


class SearchPaginator(Paginator):
    """Counts the matches of a search only up to a cap: counting them all means reading every
    customer, and past a few hundred matches people type more rather than page on. Pages
    through IdsFirst: matches are sorted by name before a page is cut."""

    cap = 500

    @cached_property
    def count(self) -> int:
        # Only the matches' ids: the list's joins and per-row figures are not needed to count.
        return self.object_list.ids.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


class CountedPaginator(Paginator):
    """Pages through a list whose size is already known, instead of counting it again."""

    def __init__(self, object_list, per_page: int, *, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


# The periods of the promise list (promises.selectors.PERIODS: the reliability page's windows),
# which the complaints list and the survey invitations list offer too.
PERIOD_CHOICES = [
    ("12m", gettext_lazy("last 12 months")),
    ("90d", gettext_lazy("last 90 days")),
    ("90d-before", gettext_lazy("the 90 days before the last 90")),
]


def filter_choice(request: HttpRequest, name: str, allowed, default: str = "") -> str:
    """A filter of the address, or its default when it is not one of the choices (a link
    edited by hand shows the whole list rather than an error page)."""
    value = request.GET.get(name, default)
    return value if value in allowed else default


def member_filter(
    request: HttpRequest, *, business, nobody: int, nobody_label: str, nobody_listed: bool
) -> tuple[int | None, list[tuple[int, str]]]:
    """The member a list is filtered by (?member=, a user id, or `nobody` for rows that name no
    member), None for all, and the choices: the members, then nobody (always where
    `nobody_listed`, else only when chosen) and a former member chosen by a link."""
    member = request.GET.get("member", "")
    chosen = int(member) if member.isdigit() and len(member) < 10 else None
    members = [(m.user_id, staff_name(m.user)) for m in membership_list(business=business)]
    if nobody_listed:
        members.append((nobody, nobody_label))
    if chosen is not None and chosen not in dict(members):
        members.append((chosen, nobody_label if chosen == nobody else _("former member")))
    return chosen, members


def day_or_none(text: str | None) -> date | None:
    """A day of the address (2026-03-31), or None when there is none or it is no day."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def month_or_none(text: str | None) -> date | None:
    """The first day of a month of the address (2026-03-01, any day of it will do), or None
    when there is none, it is no day, or its month has no end a calendar can write."""
    day = day_or_none(text)
    return day.replace(day=1) if day and 1900 <= day.year < 9999 else None


@dataclass
class CustomerListing:
    """The customer list as its filters and order select it: what the page shows fifty of and
    the CSV download writes whole."""

    query: str
    tag: str
    order: str
    segment: str
    stage: str
    bought: str
    channel: str
    since_from: date | None
    since_until: date | None
    # Their regular staff member (a user id, or selectors.REGULAR_MEMBER_NOBODY), None for all,
    # and the choices (member_filter).
    regular_member_id: int | None
    members: list[tuple[int, str]]
    by_customer: bool
    by_insight: bool
    totals: InsightTotals | None
    paginator: Paginator

    @property
    def filters(self) -> dict[str, str]:
        """The filters and order in force, as the list reads them (a value it ignores left
        out): what the audit trail records of a download."""
        chosen = {
            "q": self.query,
            "tag": self.tag.strip(),
            "segment": self.segment if self.segment in Segment.values else "",
            "stage": self.stage if self.stage in Stage.values else "",
            "bought": self.bought,
            "channel": self.channel,
            "since_from": self.since_from.isoformat() if self.since_from else "",
            "since_until": self.since_until.isoformat() if self.since_until else "",
            "member": "" if self.regular_member_id is None else str(self.regular_member_id),
            "order": self.order if self.order in LIST_ORDERS else "name",
        }
        return {name: value for name, value in chosen.items() if value}


def customer_listing(request: HttpRequest) -> CustomerListing:
    """The list the address's filters and order select, with its pager (not yet counted)."""
    query = request.GET.get("q", "").strip()
    tag = request.GET.get("tag", "")
    order = request.GET.get("order", "name")
    segment = request.GET.get("segment", "")
    stage = request.GET.get("stage", "")
    # The customers the advice's figures count (who bought, who came back, the top fifth).
    bought = request.GET.get("bought", "")
    bought = bought if bought in Bought.values else ""
    channel = request.GET.get("channel", "")
    channel = channel if channel in AcquisitionChannel.values else ""
    # The days a customer became one, from and until (both included): a month of the
    # acquisition report opens here with its first and last day.
    since_from, since_until = (
        day_or_none(request.GET.get("since_from")),
        day_or_none(request.GET.get("since_until")),
    )
    regular_member_id, members = member_filter(
        request,
        business=request.business,
        nobody=selectors.REGULAR_MEMBER_NOBODY,
        nobody_label=_("no regular staff member"),
        nobody_listed=True,
    )
    sees_amounts = member_sees_amounts(business=request.business, membership=request.membership)
    if not sees_amounts:
        # A member the care setting keeps from amounts and customer value gets no order or
        # filter by them either: the list's order would rank the customers by what they are
        # worth, and the totals add up their spend. The stage stays.
        order = "name" if order in LIST_ORDERINGS else order
        segment = bought = ""
    on_customers = selectors.customer_list(
        business=request.business,
        query=query,
        tag=tag,
        order=order,
        channel=channel,
        since_from=since_from,
        since_until=since_until,
        regular_member_id=regular_member_id,
    )
    customers = selectors.with_last_purchase(on_customers)
    # Segment, stage and value come from the insights app, joined in the same query.
    choice = insight_choice(business=request.business, segment=segment, stage=stage, bought=bought)
    customers = customers_with_insight(customers, business=request.business, choice=choice)
    # Filtered on the insights, the list adds up what the advice's figures sum over them.
    by_insight = bool(bought or segment in Segment.values or stage in Stage.values)
    totals = (
        insight_totals_kept(customers, business=request.business)
        if by_insight and sees_amounts
        else None
    )
    # Sorted on a figure (of the insights, the kept last purchase, the day they became a
    # customer): read part by part, each through the figure's index, and a deep page is found
    # from the figures alone, of the customers listed (insights_among); a search's matches,
    # few, with their rows.
    by_customer = bool(
        query or tag or channel or since_from or since_until or regular_member_id is not None
    )
    # Nor where the filter is a range of the order's own index (the top fifth by spend, by
    # spend): read from the end of the list, the figures sorted as a set made PostgreSQL walk
    # the index from the lowest spend, past the 80,000 not listed (168 ms at 100,000).
    unfiltered = not (by_customer or segment or stage) and (
        bought in ("", Bought.ANY) or (bought == Bought.TOP and order == "-spend")
    )
    among = figures_among(
        choice=choice, customers=on_customers if by_customer else None, searched=bool(query)
    )
    # Filtered, how many customers the business has tells how to read the figures (Listed);
    # the insights of all who bought are every insight in the figure's index.
    everyone = (
        selectors.customer_count(business=request.business) if by_customer or by_insight else None
    )
    parts = customer_order_parts(
        customers,
        business=request.business,
        order=order,
        among=among,
        everyone=None if unfiltered else everyone,
        chosen=choice is not None,
    ) or selectors.customer_list_parts(
        customers, business=request.business, order=order, among=among, everyone=everyone
    )
    # A page's ids first, through the order's index alone, then its fifty rows: cut from the
    # whole rows' query, a deep page joined the insight of every row it skipped (the last
    # page of 100,000 by name took 44 ms in SQLite, its ids alone 4).
    # How many there are, where known without counting them: all the customers (kept by the
    # database), or those the totals have counted (every customer listed has an insight; kept
    # per refresh, so only while nothing but the insight filters them). Told to the list, a
    # deep page is read from the nearer end.
    if query:
        listed = IdsFirst(customers, parts=parts)
        paginator = SearchPaginator(listed, PAGE_SIZE)
    elif totals is not None and by_customer:
        listed = IdsFirst(customers, parts=parts, count=totals.customers)
        paginator = CountedPaginator(listed, PAGE_SIZE, count=totals.customers)
    else:
        if totals is not None:
            known = totals.customers
        elif by_customer or segment or stage:
            known = None  # counted once, by the pager
        else:
            known = selectors.customer_count(business=request.business)
        listed = IdsFirst(customers, parts=parts, count=known)
        paginator = Paginator(listed, PAGE_SIZE)
    return CustomerListing(
        query=query,
        tag=tag,
        order=order,
        segment=segment,
        stage=stage,
        bought=bought,
        channel=channel,
        since_from=since_from,
        since_until=since_until,
        regular_member_id=regular_member_id,
        members=members,
        by_customer=by_customer,
        by_insight=by_insight,
        totals=totals,
        paginator=paginator,
    )


@member_required
def customer_list(request: HttpRequest) -> HttpResponse:
    listing = customer_listing(request)
    query, order, totals = listing.query, listing.order, listing.totals
    page = listing.paginator.get_page(request.GET.get("page"))
    shows_alive = order in ("alive", "-alive")
    shows_spend = bool(listing.bought) or order == "-spend"
    win_back = listing.segment in STAYED_AWAY
    if win_back:
        planned = contact_planned_among(
            business=request.business, customer_ids=[customer.pk for customer in page]
        )
        for customer in page:
            customer.contact_planned = customer.pk in planned
    context = {
        "page": page,
        # A search that found nobody may hold a typo: whom it may have meant (one more than
        # shown, to know whether to say there are more).
        "suggestions": selectors.customer_suggestions(
            business=request.business, query=query, limit=SUGGESTIONS + 1
        )
        if query and not page.object_list
        else [],
        "suggestions_shown": SUGGESTIONS,
        "query": query,
        "tag": listing.tag,
        "order": order,
        # Sorted by it, the list shows the figure it is sorted by, and says where the one-off
        # customers begin, whose figure says nothing (insights.selectors.alive_figure).
        "shows_alive": shows_alive,
        "one_offs_start": one_offs_start(page.object_list) if shows_alive else None,
        # And what the customers spent, where the advice sums it.
        "shows_spend": shows_spend,
        # Room for either (at 1280 pixels the probability alive fell off the table's edge).
        "shows_email": not (shows_alive or shows_spend),
        "totals": totals,
        # The customers of a segment that stayed away, whom the advice says to win back: each
        # with the call to plan, as Today's customers slipping away, unless a contact is open.
        "win_back": win_back,
        "list_path": request.get_full_path(),
        "segment": listing.segment,
        "stage": listing.stage,
        "bought": listing.bought,
        "boughts": Bought.choices,
        "channel": listing.channel,
        "since_from": listing.since_from,
        "since_until": listing.since_until,
        # By regular staff member where there is more than one person to choose (as the
        # customer form asks), or when the address chose one.
        "member": listing.regular_member_id,
        "members": listing.members
        if len(listing.members) > 2 or listing.regular_member_id is not None
        else [],
        # Filtered to nobody, the list says so, not "no customers yet" to a shop that has them.
        "filtered": listing.by_customer or listing.by_insight,
        # Searched and nothing else chosen: the filters fold away below the search box.
        "folded": bool(query) and listing.filters == {"q": query, "order": "name"},
        "channels": AcquisitionChannel.choices,
        "segments": Segment.choices,
        "stages": Stage.choices,
        "tags": selectors.tags_sorted(business=request.business),
    }
    if request.membership.is_owner:
        # The download of the list as shown: its filters and order, every page.
        chosen = request.GET.copy()
        chosen.pop("page", None)
        context["csv_query"] = chosen.urlencode()
    if request.htmx and request.htmx.target == "customer-results":
        return render(request, "web/customer_list.html#results", context)
    return render(request, "web/customer_list.html", context)


@owner_required
def customer_list_download(request: HttpRequest) -> StreamingHttpResponse:
    """The customer list as its filters and order select it, every page, as CSV: owners only,
    as the export, since it is personal data."""
    listing = customer_listing(request)
    shown = listing.paginator.object_list
    # Counted whole: a search's pager stops counting at its cap. The rows without the insight
    # joined (customer_list_csv reads it apart), in the list's order.
    count = shown.count()
    listed = IdsFirst(shown.rows.select_related(None), parts=shown.parts, count=count)
    pages = (listed[start : start + CSV_PAGE_SIZE] for start in range(0, count, CSV_PAGE_SIZE))
    stream = customer_list_csv(
        business=request.business,
        pages=pages,
        count=count,
        filters=listing.filters,
        actor=request.user,
    )
    name = download_name(request.business, _("customers"), "csv")
    return StreamingHttpResponse(
        stream,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def download_name(business, what: str, extension: str) -> str:
    """The name of a file the business downloads: "klantvriend-kapsalon-priya-klanten-2026-12-06
    .csv", by the business's name as it is now (its short name in the address stays what it was
    made with: a salon renamed "Priya's Hair Studio" downloaded "kapsalon-priya"), what it
    holds, and today's day."""
    stamp = timezone.localdate(timezone=business.tzinfo).isoformat()
    parts = ["klantvriend", slugify(business.name) or business.slug, slugify(what), stamp]
    return "-".join(part for part in parts if part) + f".{extension}"


@member_required
def customer_create(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None, business=request.business)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                business=request.business,
                name=form.cleaned_data["name"],
                tags=form.tag_names(),
                actor=request.user,
                consent_source=ConsentSource.WEB,
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Customer %(name)s added.") % {"name": customer.name})
            return redirect("web:customer_detail", customer_id=customer.pk)
    return render(
        request,
        "web/customer_form.html",
        {"form": form, "customer": None},
        status=422 if form.errors else 200,
    )


# How many namesakes a walk-in shows before adding: enough for a common name.
QUICK_ADD_MATCHES = 5


@member_required
@require_POST
def customer_quick_add(request: HttpRequest) -> HttpResponse:
    form = QuickAddForm(request.POST, business=request.business)
    matches = []
    if form.is_valid() and not form.cleaned_data["confirm_new"]:
        # At the counter a regular is easily added a second time: show who is already known
        # by that name or phone number first, and add only when told it is someone else.
        matches = selectors.customers_alike(
            business=request.business,
            details=[form.cleaned_data["name"], form.cleaned_data["phone"]],
            limit=QUICK_ADD_MATCHES,
        )
    if form.is_valid() and not matches:
        try:
            customer = services.customer_create(
                business=request.business,
                name=form.cleaned_data["name"],
                actor=request.user,
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("New customer %(name)s added.") % {"name": customer.name})
            url = reverse("web:customer_detail", args=[customer.pk])
            if request.htmx:
                return HttpResponse(status=204, headers={"HX-Redirect": url})
            return redirect(url)
    template = "web/partials/quick_add.html" if request.htmx else "web/quick_add_page.html"
    return render(
        request, template, {"quick_add_form": form, "quick_add_matches": matches}, status=422
    )


PROFILE_FORMS = {
    "purchase_form": PurchaseForm,
    "contact_form": ContactMomentForm,
    "important_date_form": ImportantDateForm,
}


def _profile_form(request: HttpRequest, form_key: str, data=None):
    """One of PROFILE_FORMS, empty or with what was sent; a purchase's asks who served it."""
    if form_key == "purchase_form":
        return PurchaseForm(data, business=request.business, member=request.user)
    return PROFILE_FORMS[form_key](data)


# The profile opens with the recent history; ?timeline=all shows the long one.
TIMELINE_SHORT = 20
TIMELINE_LONG = 200


def _timeline(request: HttpRequest, customer: Customer) -> dict:
    whole = request.method == "GET" and request.GET.get("timeline") == "all"
    limit = TIMELINE_LONG if whole else TIMELINE_SHORT
    entries = selectors.customer_timeline(customer=customer, limit=limit + 1)
    longer = len(entries) > limit
    return {
        "timeline": entries[:limit],
        "timeline_more": longer and not whole,
        # The long view has an end too; the whole history is in the personal-data export.
        "timeline_cut": longer and whole,
    }


def _profile_context(
    request: HttpRequest,
    customer: Customer,
    *,
    important_date_refused: dict[int, str] | None = None,
    **bound_forms,
) -> dict:
    """`important_date_refused`: why "Called" or its undo was refused, per important date."""
    forms = {key: bound_forms.get(key) or _profile_form(request, key) for key in PROFILE_FORMS}
    return {
        "customer": customer,
        "briefing": selectors.customer_briefing(customer=customer),
        **_timeline(request, customer),
        "tags": sorted(customer.tags.all(), key=lambda tag: selectors.tag_name_order(tag.name)),
        **_dates_today(request, customer),
        "important_date_refused": important_date_refused or {},
        # Privacy requests are the owner's to answer (web/privacy_views.py): theirs alone to see.
        "open_privacy_requests": privacy_requests_open_for(customer=customer)
        if request.membership.is_owner
        else [],
        **forms,
        # Promises, complaints, follow-ups and gestures (web/care.py).
        **care_profile_context(request, customer, bound_forms),
    }


def _dates_today(request: HttpRequest, customer: Customer) -> dict:
    """The important dates, which of them fall from today to coming_up_days ahead (each with its
    day, years and whether someone called about it), and whether the birthday falls today: the
    card says so beside the date, for whoever serves the customer to wish them well or to
    mention the check that is due, and not to call again about it. A call the reader may take
    back (core/undo.py) offers its undo: asked only when a coming date was called about."""
    business = request.business
    today = business.today()
    celebrated = celebrated_on(today)
    important_dates = list(customer.important_dates.all())
    birthday = customer.birthday
    coming = {}
    for important in important_dates:
        found = selectors.coming_date(important_date=important, business=business, day=today)
        if found is not None:
            coming[important.pk] = found
    called = any(found.called_on for found in coming.values())
    return {
        "important_dates_from": today,
        "important_dates": important_dates,
        "important_dates_coming": coming,
        "important_dates_undoable": undoable_rows(
            business=business,
            customer=customer,
            actions=[AuditAction.CALLED],
            actor=request.user,
            actor_is_owner=request.membership.is_owner,
        )
        if called
        else Undoable({}),
        "birthday_today": birthday is not None and (birthday.month, birthday.day) in celebrated,
    }


def _profile_customer(request: HttpRequest, customer_id: int) -> Customer:
    """The customer, with whether they have any records of each of PROFILE_KINDS, in the same
    query: the profile's sections skip theirs for the kinds the customer has none of. Only for
    showing the profile: after a write in the same request these answers could be stale."""
    has_any = {
        f"has_{kind}": Exists(
            Customer._meta.get_field(kind).related_model.objects.filter(customer=OuterRef("pk"))
        )
        for kind in PROFILE_KINDS
    }
    return selectors.customer_get(
        business=request.business, customer_id=customer_id, annotations=has_any
    )


@member_required
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _profile_customer(request, customer_id)
    audit_personal_data_viewed(customer=customer, actor=request.user)
    return render(request, "web/customer_detail.html", _profile_context(request, customer))


VISIT_DAYS_PER_PAGE = 50


@member_required
def customer_visits(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The days the customer came, each with its purchases and logged visits: what the
    profile's visits and total spend are made of, added up."""
    customer = selectors.customer_get(business=request.business, customer_id=customer_id)
    audit_personal_data_viewed(customer=customer, actor=request.user, how="visits")
    visits = selectors.customer_visits(
        customer=customer, page=request.GET.get("page"), per_page=VISIT_DAYS_PER_PAGE
    )
    return render(
        request,
        "web/customer_visits.html",
        {"customer": customer, "visits": visits, "page": visits.page},
    )


@member_required
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get(business=request.business, customer_id=customer_id)
    try:
        customer.refuse_if_anonymised()
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
        return redirect("web:customer_detail", customer_id=customer.pk)
    form = CustomerForm(request.POST or None, instance=customer, business=request.business)
    status = 200
    if request.method == "POST" and form.is_valid():
        # Only what this person changed, judged against what they saw: the service reads the
        # customer again under a lock, so what someone else saved meanwhile stays.
        fields, seen = form.edits()
        try:
            services.customer_update(
                customer=customer,
                tags=fields.pop("tags", None),
                seen=seen,
                consent_source=ConsentSource.WEB,
                actor=request.user,
                **fields,
            )
        except ChangedMeanwhile as conflict:
            form.show_stored(conflict)
            add_service_errors(form, conflict)
            form.add_error(None, CHANGED_MEANWHILE)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            # Back where the edit was opened from when that is a page of this site (the
            # privacy page's list of customers to fix), else to the profile.
            return redirect(
                safe_next(request, default=reverse("web:customer_detail", args=[customer.pk]))
            )
    if form.errors and status == 200:
        status = 422
    return render(
        request, "web/customer_form.html", {"form": form, "customer": customer}, status=status
    )


@owner_required
def customer_delete(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get(business=request.business, customer_id=customer_id)
    context = {"customer": customer, "has_purchases": customer.purchases.exists()}
    if request.method == "POST":
        name = customer.name
        try:
            privacy.customer_delete(customer=customer, actor=request.user)
        except privacy.HasPurchases:
            return render(request, "web/customer_confirm_delete.html", context, status=409)
        messages.success(request, _("Customer %(name)s deleted.") % {"name": name})
        return redirect("web:customer_list")
    return render(request, "web/customer_confirm_delete.html", context)


def _record(
    request: HttpRequest, customer_id: int, form_key: str, create, *, saved: str
) -> HttpResponse:
    """Shared by the forms on the profile: validate, call the service, and answer with the
    refreshed profile (htmx) or a redirect, or with the form and its messages. `saved` says
    that it worked, inside the form just used (where the person is looking): what was recorded
    shows elsewhere on the page, the timeline, a screen further down on a phone."""
    customer = selectors.customer_get(business=request.business, customer_id=customer_id)
    form = _profile_form(request, form_key, request.POST)
    if form.is_valid():
        try:
            done = create(customer, form)
            # `create` may say more than `saved` of what it did (purchase_add: its call).
            if isinstance(done, str):
                saved = done
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.htmx:
                context = {**_profile_context(request, customer), "record_saved": {form_key: saved}}
                return render(request, "web/customer_detail.html#profile-live", context)
            messages.success(request, saved)
            return redirect("web:customer_detail", customer_id=customer.pk)
    context = _profile_context(request, customer, **{form_key: form})
    template = (
        "web/customer_detail.html#profile-live" if request.htmx else "web/customer_detail.html"
    )
    return render(request, template, context, status=422)


@member_required
@require_POST
def purchase_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    def create(customer, form):
        values = form.cleaned_data
        # The same purchase recorded a moment ago is asked about, not recorded twice unseen.
        earlier = selectors.purchase_just_recorded(
            customer=customer,
            amount_cents=values["amount"],
            description=values["description"],
            at=values["at"],
        )
        if earlier is not None and not values["confirm_repeat"]:
            since = timezone.now() - earlier.created_at
            raise ValidationError(
                {
                    "amount": ValidationError(
                        _(
                            "The same purchase (%(amount)s) was recorded for this customer "
                            "%(when)s. Tick “Record it anyway” if this is another one."
                        )
                        % {
                            "amount": amount_shown(earlier.amount_cents, earlier.currency),
                            # Not "0 min ago": a second tap comes seconds after the first.
                            "when": _("just now")
                            if since < timedelta(minutes=1)
                            else _("%(ago)s ago") % {"ago": duration_shown(since)},
                        },
                        code="repeat",
                    )
                }
            )
        if not values["confirm_repeat"]:
            _refuse_unlikely_amount(customer.business, values["amount"])
        purchase = services.purchase_create(
            customer=customer,
            amount_cents=values["amount"],
            description=values["description"],
            at=values["at"],
            member=form.served_by(),
        )
        # Its call is planned once the purchase is committed, which it is by now (no request
        # is one transaction): said, so that whoever typed in last week's jobs knows which got
        # one.
        call = call_after_purchase(purchase)
        if call is not None:
            return _("Purchase saved. Call to ask how it went: %(day)s.") % {
                "day": moment_shown(call.due_on, "WEEKDAY")
            }
        return None

    return _record(request, customer_id, "purchase_form", create, saved=_("Purchase saved."))


def _refuse_unlikely_amount(business, amount_cents: int) -> None:
    """An amount many times the business's usual purchase (PURCHASE_UNLIKELY_FACTOR) is asked
    about, as the same purchase twice is: a zero too many is the commonest slip at a till."""
    typical = selectors.typical_purchase_cents(business=business)
    if not typical or amount_cents <= typical * selectors.PURCHASE_UNLIKELY_FACTOR:
        return
    raise ValidationError(
        {
            "amount": ValidationError(
                _(
                    "%(amount)s is more than ten times a usual purchase here (about "
                    "%(typical)s). A zero too many? Tick “Record it anyway” if the amount is "
                    "right."
                )
                % {
                    "amount": amount_shown(amount_cents, business.currency),
                    # "About € 50,37" was oddly exact: about is in whole euros.
                    "typical": amount_shown(round(typical, -2), business.currency),
                },
                code="unlikely",
            )
        }
    )


def _purchase_of(request: HttpRequest, customer_id: int, purchase_id: int):
    """The purchase of this customer of the business; another's is not found (404)."""
    customer = selectors.customer_get(business=request.business, customer_id=customer_id)
    purchase = selectors.purchase_get(business=request.business, purchase_id=purchase_id)
    if purchase.customer_id != customer.pk:
        raise NotFound
    return customer, purchase


def correction_page(
    request: HttpRequest,
    *,
    customer: Customer,
    form_for: Callable[[Any, Any], forms.Form],
    record: Any,
    read_again: Callable[[], Any],
    save: Callable[[Any], object],
    changed_meanwhile: str,
    saved: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The page correcting a record of the customer's timeline (a purchase, a contact moment):
    `form_for(data, record)` is its form with the record's version in it, `save(form)` the
    service call with that version. Someone who saved it meanwhile is not overwritten unseen:
    the page says so (409), with what was typed over what is stored now."""
    form = form_for(request.POST or None, record)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ChangedMeanwhile:
            stored = read_again()
            data = form.data.copy()
            data["version"] = record_version(stored)
            form = form_for(data, stored)
            form.is_valid()
            form.add_error(None, changed_meanwhile)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, saved)
            return redirect("web:customer_detail", customer_id=customer.pk)
    if form.errors and status == 200:
        status = 422
    return render(request, template, {**context, "form": form, "customer": customer}, status=status)


@member_required
def purchase_edit(request: HttpRequest, customer_id: int, purchase_id: int) -> HttpResponse:
    """Correct a purchase typed wrongly (an amount, who served it): any member, as through the
    API; the audit trail keeps what it was (customers.services.purchase_update)."""
    customer, purchase = _purchase_of(request, customer_id, purchase_id)

    def form_for(data, stored) -> PurchaseEditForm:
        initial = {
            "amount": cents_for_typing(stored.amount_cents, language=get_language() or "nl"),
            "description": stored.description,
            "member": stored.member_id,
            "at": stored.at,
            "version": record_version(stored),
        }
        return PurchaseEditForm(data, initial=initial, business=request.business, purchase=stored)

    def save(form: PurchaseEditForm) -> None:
        services.purchase_update(
            purchase=purchase,
            actor=request.user,
            amount_cents=form.cleaned_data["amount"],
            description=form.cleaned_data["description"],
            at=form.moment(),
            member=form.served_by(),
            expected_versions=[form.cleaned_data["version"]],
        )

    return correction_page(
        request,
        customer=customer,
        form_for=form_for,
        record=purchase,
        read_again=lambda: selectors.purchase_get(
            business=request.business, purchase_id=purchase.pk
        ),
        save=save,
        changed_meanwhile=_(
            "Someone saved this purchase while you were changing it. Check what you typed and "
            "save again to keep it."
        ),
        saved=_("Purchase changed."),
        template="web/purchase_form.html",
        context={"purchase": purchase},
    )


@owner_required
@require_POST
def purchase_delete(request: HttpRequest, customer_id: int, purchase_id: int) -> HttpResponse:
    """Remove a purchase recorded by mistake: owners only, as through the API; the audit trail
    keeps what it was."""
    customer, purchase = _purchase_of(request, customer_id, purchase_id)
    services.purchase_delete(purchase=purchase, actor=request.user)
    messages.success(request, _("Purchase removed."))
    return redirect("web:customer_detail", customer_id=customer.pk)


def _contact_moment_of(request: HttpRequest, customer_id: int, contact_moment_id: int):
    """The contact moment of this customer of the business; another's is not found (404)."""
    customer = selectors.customer_get(business=request.business, customer_id=customer_id)
    moment = selectors.contact_moment_get(
        business=request.business, contact_moment_id=contact_moment_id
    )
    if moment.customer_id != customer.pk:
        raise NotFound
    return customer, moment


@member_required
def contact_moment_edit(
    request: HttpRequest, customer_id: int, contact_moment_id: int
) -> HttpResponse:
    """Correct a contact moment typed wrongly (a typo, a visit recorded as a call, the wrong
    day): any member, as through the API."""
    customer, moment = _contact_moment_of(request, customer_id, contact_moment_id)

    def form_for(data, stored) -> ContactMomentEditForm:
        initial = {
            "kind": stored.kind,
            "summary": stored.summary,
            "at": stored.at,
            "version": record_version(stored),
        }
        return ContactMomentEditForm(data, initial=initial, moment=stored)

    def save(form: ContactMomentEditForm) -> None:
        services.contact_moment_update(
            moment=moment,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            summary=form.cleaned_data["summary"],
            at=form.moment(),
            expected_versions=[form.cleaned_data["version"]],
        )

    return correction_page(
        request,
        customer=customer,
        form_for=form_for,
        record=moment,
        read_again=lambda: selectors.contact_moment_get(
            business=request.business, contact_moment_id=moment.pk
        ),
        save=save,
        changed_meanwhile=_(
            "Someone saved this contact moment while you were changing it. Check what you typed "
            "and save again to keep it."
        ),
        saved=_("Contact moment changed."),
        template="web/contact_moment_form.html",
        context={"contact_moment": moment},
    )


@member_required
@require_POST
def contact_moment_delete(
    request: HttpRequest, customer_id: int, contact_moment_id: int
) -> HttpResponse:
    """Remove a contact moment recorded by mistake (on the wrong customer, twice): any member,
    as through the API. A call recorded by "Called" on an important date leaves the date
    called, as the API's removal does."""
    customer, moment = _contact_moment_of(request, customer_id, contact_moment_id)
    services.contact_moment_delete(moment=moment, actor=request.user)
    messages.success(request, _("Contact moment removed."))
    return redirect("web:customer_detail", customer_id=customer.pk)


@member_required
@require_POST
def contact_moment_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _record(
        request,
        customer_id,
        "contact_form",
        lambda customer, form: services.contact_moment_create(
            customer=customer,
            kind=form.cleaned_data["kind"],
            summary=form.cleaned_data["summary"],
            at=form.cleaned_data["at"],
            member=request.user,
        ),
        saved=_("Contact moment saved."),
    )


@member_required
@require_POST
def important_date_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _record(
        request,
        customer_id,
        "important_date_form",
        lambda customer, form: services.important_date_add(
            customer=customer,
            label=form.cleaned_data["label"],
            date=form.cleaned_data["date"],
            yearly=form.cleaned_data["yearly"],
        ),
        saved=_("Date saved."),
    )


@member_required
@require_POST
def important_date_delete(
    request: HttpRequest, customer_id: int, important_date_id: int
) -> HttpResponse:
    customer = selectors.customer_get(business=request.business, customer_id=customer_id)
    important = selectors.important_date_get(
        business=request.business, important_date_id=important_date_id
    )
    if important.customer_id != customer.pk:
        raise NotFound
    services.important_date_delete(important_date=important)
    if request.htmx:
        return render(
            request, "web/customer_detail.html#profile-live", _profile_context(request, customer)
        )
    return redirect("web:customer_detail", customer_id=customer.pk)


@login_required
@require_POST
def switch_business(request: HttpRequest) -> HttpResponse:
    try:
        membership = membership_get(
            user=request.user, business_id=int(request.POST.get("business", ""))
        )
    except (NotFound, ValueError):
        messages.error(request, _("You are not a member of that business."))
    else:
        request.session[SESSION_KEY] = membership.business_id
        messages.success(
            request, _("You now work in %(name)s.") % {"name": membership.business.name}
        )
    return redirect("web:today")
