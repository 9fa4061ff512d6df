"""The header's live search: as staff type a name, phone number or postcode, the best matches
drop down under the search box (static/klantvriend/picker.js), so that a customer is found in
two keystrokes without the customer list's page in between."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from klantvriend.customers.selectors import customer_matches, customer_search
from klantvriend.customers.text import digits

from .views import SearchPaginator, member_required

# As many as a phone shows under the search box without scrolling.
LIVE_RESULTS = 8
# One letter matches a good share of all customers: nobody is found by it.
SHORTEST_QUERY = 2
# The end of a phone number that tells two customers of one name apart, without the whole number.
PHONE_END = 4


@member_required
def customer_live_search(request: HttpRequest) -> HttpResponse:
    """The dropdown's options and its last line: the closest of the customer list's matches
    (customer_search: names starting with what was typed first) and how many there are,
    counted up to the list's cap. Three queries at most, however many customers match."""
    query = request.GET.get("q", "").strip()
    if len(query) < SHORTEST_QUERY:
        return render(request, "web/partials/live_search.html", {"query": ""})
    results = customer_search(
        business=request.business,
        query=query,
        limit=LIVE_RESULTS,
        fields=("pk", "name", "company", "postal_code", "city", "phone", "email"),
    )
    count = len(results)
    if count == LIVE_RESULTS:
        # The list's own cap: past it, people type more rather than page on.
        found = customer_matches(business=request.business, query=query)
        count = found.order_by().values("pk")[: SearchPaginator.cap + 1].count()
    for customer in results:
        customer.phone_end = digits(customer.phone)[-PHONE_END:]
    return render(
        request,
        "web/partials/live_search.html",
        {
            "query": query,
            "results": results,
            "count": count,
            "capped": count > SearchPaginator.cap,
            "cap": SearchPaginator.cap,
        },
    )
