"""Merging two records of one person (owners): choose the other record, see what merging does,
confirm. The work is importers/merge.py's."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from klantvriend.core.errors import ChangedMeanwhile
from klantvriend.customers import selectors
from klantvriend.customers.models import Customer
from klantvriend.customers.naming import customer_names_told_apart
from klantvriend.customers.services import CUSTOMER_EDITABLE_FIELDS, shown_value
from klantvriend.importers.merge import CannotMerge, customer_merge, merge_plan

from .duplicate_views import duplicates_return
from .views import owner_required

# Records offered to choose from: a search's first matches, or those resembling the customer.
CHOICES = 10


def _choices(business, customer: Customer, query: str) -> list[Customer]:
    """Records to merge into `customer`: a search's first matches, else the records found by
    the customer's name, phone number and e-mail address (not by their place). Never the
    customer themselves or an anonymised record. Through the search's index: the typo suggestions' comparison took
    120 ms on PostgreSQL at 100,000 customers for every customer opened here, most of whom have
    no double."""
    if query:
        # A search as any other, by the address too ("7201 HV").
        return selectors.customer_search(
            business=business, query=query, limit=CHOICES, exclude=customer.pk
        )
    details = [customer.name, customer.phone, customer.email]
    found = selectors.customers_alike(business=business, details=details, limit=CHOICES + 1)
    return [match for match in found if match.pk != customer.pk][:CHOICES]


def _changes(plan) -> list[tuple[str, str, str]]:
    """(label, now, after) of each field of the kept record that merging changes and a person
    could have typed or chosen (not the moments the system keeps beside them), in form order."""
    rows = []
    for field in Customer._meta.concrete_fields:
        if field.name in CUSTOMER_EDITABLE_FIELDS and field.attname in plan.fields:
            rows.append(
                (
                    capfirst(field.verbose_name),
                    shown_value(field.name, getattr(plan.keep, field.attname)) or "—",
                    shown_value(field.name, plan.fields[field.attname]) or "—",
                )
            )
    return rows


def _not_taken(plan) -> list[tuple[str, str]]:
    """(label, value) of the other record's details that merging does not keep."""
    return [
        (capfirst(Customer._meta.get_field(name).verbose_name), shown_value(name, value))
        for name, value in plan.not_taken
    ]


def _from_duplicates(request: HttpRequest) -> tuple[dict[str, str | int], str]:
    """The tab and page of the list of possible duplicates the owner came from (`duplicates`:
    its kind, with where its page begins), to carry on through the confirmation, and the list's
    address at that page to go back to after merging or cancelling; ({}, "") from elsewhere."""
    query = request.POST if "duplicates" in request.POST else request.GET
    place = duplicates_return(query, kind_field="duplicates")
    if not place:
        return {}, ""
    back = reverse("web:customer_duplicates") + "?" + urlencode(place)
    return {"duplicates": place.pop("kind"), **place}, back


@owner_required
def customer_merge_view(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get(business=request.business, customer_id=customer_id)
    other_id = request.POST.get("other") or request.GET.get("other")
    duplicates, back = _from_duplicates(request)
    if not (other_id or "").isdigit():
        query = request.GET.get("q", "").strip()
        context = {
            "customer": customer,
            "query": query,
            "choices": [] if customer.erased_at else _choices(request.business, customer, query),
        }
        return render(request, "web/customer_merge_choose.html", context)
    other = selectors.customer_get(business=request.business, customer_id=int(other_id))
    # Both named so that two records of one name can be told apart, as the owner confirmed them.
    keep_name, other_name = customer_names_told_apart(customer, other)
    context = {
        "customer": customer,
        "other": other,
        "keep_name": keep_name,
        "other_name": other_name,
        "duplicates": duplicates,
        "duplicates_query": urlencode(duplicates),
        "back": back,
    }
    status = 200
    try:
        if request.method == "POST":
            plan = customer_merge(
                keep=customer,
                other=other,
                actor=request.user,
                keep_versions=[request.POST.get("keep_version", "")],
                other_versions=[request.POST.get("other_version", "")],
            )
            messages.success(
                request,
                _("%(other)s has been merged into %(name)s: they are one customer now.")
                % {"other": other_name, "name": keep_name},
            )
            return redirect(back or reverse("web:customer_detail", args=[customer.pk]))
    except (CannotMerge, ChangedMeanwhile) as refused:
        context["refusal"] = refused.messages[0]
        status = 409
    try:
        plan = merge_plan(keep=customer, other=other)
    except CannotMerge as refused:
        context["refusal"] = refused.messages[0]
        return render(request, "web/customer_merge_confirm.html", context, status=409)
    context |= {
        "plan": plan,
        "changes": _changes(plan),
        "not_taken": _not_taken(plan),
        "keep_version": selectors.customer_version(customer=customer),
        "other_version": selectors.customer_version(customer=other),
    }
    return render(request, "web/customer_merge_confirm.html", context, status=status)
