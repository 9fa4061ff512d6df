"""Today's "Show all N" leads to every row it counts: follow-ups to the aftercare list, overdue
promises and those due today to the promise list, occasions to pages of them on Today. Each
list is filtered by the rule Today counts by, so that the numbers cannot disagree."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from klantvriend.aftercare.models import Outcome
from klantvriend.aftercare.services import follow_up_plan_for_complaint, follow_up_plan_for_promise
from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.accounts import account_language_set
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.tests.factories import PromiseFactory
from klantvriend.today.selectors import today_list

from .test_care_views import _at_midday_now

ROW = re.compile(r"<tr>\s*<td class=\"hide-small\"><a href=\"/customers/(\d+)/\">([^<]+)</a>")


def _rows(response) -> list[str]:
    return [name for _id, name in ROW.findall(response.content.decode())]


def _follow_ups(business, owner):
    """Anna's follow-ups in every state, and one of another business."""
    today = business.today()
    anna = CustomerFactory(business=business, name="Anna de Vries")
    bram = CustomerFactory(business=business, name="Bram Smit")
    now = timezone.now()
    FollowUpFactory(customer=anna, due_on=today, note="Vandaag bellen", assigned_to=owner)
    FollowUpFactory(customer=bram, due_on=today - timedelta(days=14), note="Twee weken terug")
    FollowUpFactory(customer=anna, due_on=today - timedelta(days=15), note="Vergeten")
    FollowUpFactory(customer=bram, due_on=today + timedelta(days=1), note="Morgen")
    FollowUpFactory(
        customer=anna,
        due_on=today - timedelta(days=2),
        note="Smaakte het?",
        done_at=now,
        outcome=Outcome.CONTENT,
        outcome_note="Heerlijk",
        assigned_to=owner,
    )
    FollowUpFactory(
        customer=bram,
        due_on=today - timedelta(days=100),
        note="Oude reparatie",
        done_at=now - timedelta(days=99),
        outcome=Outcome.NOT_CONTENT,
    )


def test_the_aftercare_list_shows_each_state_and_todays_count_opens_the_same_rows(
    owner_client, business, owner, other_business
):
    _follow_ups(business, owner)
    FollowUpFactory(
        customer=CustomerFactory(business=other_business, name="Geheime Klant Elders"),
        note="Elders",
    )

    due = owner_client.get("/aftercare/", {"state": "due"})
    today = today_list(business=business)

    assert due.status_code == 200
    assert due.context["page"].paginator.count == today.follow_ups.total == 2
    # The longest waiting first, as Today lists them.
    assert _rows(due) == ["Bram Smit", "Anna de Vries"]
    assert "2 nazorgcontacten in deze lijst" in due.content.decode()
    assert due.content.decode().count('<span class="badge nowrap">te doen</span>') == 2
    counts = {
        state: owner_client.get("/aftercare/", {"state": state}).context["page"].paginator.count
        for state in ("missed", "later", "done", "")
    }
    assert counts == {"missed": 1, "later": 1, "done": 2, "": 6}
    # The done ones the latest planned first, each with its outcome and what the customer said.
    done = owner_client.get("/aftercare/", {"state": "done"})
    assert _rows(done) == ["Anna de Vries", "Bram Smit"]
    page = done.content.decode()
    assert "“Heerlijk”" in page
    assert ">niet tevreden<" in page
    assert ">tevreden<" in page
    assert "Geheime Klant Elders" not in owner_client.get("/aftercare/").content.decode()


def test_the_aftercare_list_filters_by_period_and_member_and_ignores_unknown_values(
    owner_client, business, owner
):
    _follow_ups(business, owner)

    def count(**filters) -> int:
        return owner_client.get("/aftercare/", filters).context["page"].paginator.count

    # Planned 100 days ago: in the last 12 months, not in the last 90 days.
    assert count(period="90d") == 5
    assert count(period="all") == 6
    assert count(member=str(owner.pk)) == 2
    assert count(member="0") == 4  # assigned to nobody
    assert count(member=str(owner.pk), state="done") == 1
    # A hand-edited address shows the whole list rather than an error.
    assert count(state="everything", period="5y", member="x") == 6


def test_the_aftercare_list_shows_the_quotes_alone_and_how_many_were_accepted(
    owner_client, business, owner
):
    _follow_ups(business, owner)
    customer = CustomerFactory(business=business, name="Henk Bos")
    now = timezone.now()
    for outcome in [Outcome.ACCEPTED, Outcome.ACCEPTED, Outcome.DECLINED]:
        FollowUpFactory(
            customer=customer,
            reason="quote",
            due_on=business.today() - timedelta(days=3),
            done_at=now,
            outcome=outcome,
        )
    FollowUpFactory(customer=customer, reason="quote", note="Nog open")

    quotes = owner_client.get("/aftercare/", {"reason": "quote"})
    everything = owner_client.get("/aftercare/").content.decode()

    assert quotes.context["page"].paginator.count == 4
    assert set(_rows(quotes)) == {"Henk Bos"}
    assert (
        '4 nazorgcontacten in deze lijst <span data-testid="follow-up-outcomes">· gedaan: '
        "2 offerte aangenomen, 1 offerte afgewezen</span>"
    ) in quotes.content.decode()
    assert '<option value="quote" selected>Na een offerte</option>' in quotes.content.decode()
    # Over the whole list, in Outcome's order; the open ones counted in the list, not here.
    assert (
        "· gedaan: 1 tevreden, 1 niet tevreden, 2 offerte aangenomen, 1 offerte afgewezen</span>"
    ) in everything
    # Nothing of it where nothing listed is done, and no query for it either.
    with CaptureQueriesContext(connection) as queries:
        due = owner_client.get("/aftercare/", {"state": "due"}).content.decode()
    assert "follow-up-outcomes" not in due
    assert not [q["sql"] for q in queries if '"outcome", COUNT(' in q["sql"]]
    with CaptureQueriesContext(connection) as queries:
        owner_client.get("/aftercare/", {"state": "done"})
    assert len([q for q in queries if '"outcome", COUNT(' in q["sql"]]) == 1
    # An unknown reason shows the whole list.
    assert owner_client.get("/aftercare/", {"reason": "x"}).context["page"].paginator.count == 10


def test_the_promise_page_says_how_many_quotes_were_accepted_as_the_list_it_opens_counts(
    owner_client, business, owner, other_business
):
    today = business.today()
    customer = CustomerFactory(business=business, name="Henk Bos")
    done = timezone.now()

    def quote(*, days_ago=3, outcome="", **fields):
        due_on = today - timedelta(days=days_ago)
        closed = {"done_at": done, "outcome": outcome} if outcome else {}
        return FollowUpFactory(customer=customer, reason="quote", due_on=due_on, **closed, **fields)

    for outcome in [Outcome.ACCEPTED, Outcome.ACCEPTED, Outcome.ACCEPTED, Outcome.DECLINED]:
        quote(outcome=outcome)
    quote(days_ago=400, outcome=Outcome.ACCEPTED)  # planned before the last 12 months
    quote(days_ago=20)  # let slip
    quote(days_ago=-2)  # asked again after the weekend
    FollowUpFactory(customer=customer, reason="repair", done_at=done, outcome=Outcome.CONTENT)
    FollowUpFactory(
        customer=CustomerFactory(business=other_business),
        reason="quote",
        done_at=done,
        outcome=Outcome.DECLINED,
    )

    page = owner_client.get(reverse("web:promise_reliability")).content.decode()

    with translation.override("nl"):
        since = date_format(today - timedelta(days=365), "j F Y")
    card = page.split('data-testid="quote-decisions">', 1)[1].split("</section>", 1)[0]
    assert " ".join(re.sub(r"<[^>]+>", "", card).split()) == (
        "Offertes: wat de klanten besloten 75% aangenomen: 3 van 4 offertes waarover de klanten "
        "beslisten 2 nog niet beslist. Zoals de klanten antwoordden op de nazorg na een offerte, "
        f"gepland sinds {since}. De nazorg na een offerte"
    )

    def opened(testid):
        link = re.search(rf'href="([^"]+)" data-testid="{testid}"', card)[1]
        return owner_client.get(link.replace("&amp;", "&"))

    # Each figure opens to the follow-ups it counts, and the list counts them alike.
    decided, undecided, every = (
        opened(testid) for testid in ("quote-accepted-share", "quote-undecided", "quote-follow-ups")
    )
    assert decided.context["page"].paginator.count == 4
    assert (
        '4 nazorgcontacten in deze lijst <span data-testid="follow-up-outcomes">· gedaan: '
        "3 offerte aangenomen, 1 offerte afgewezen</span>"
    ) in decided.content.decode()
    assert [row.due_on for row in undecided.context["page"].object_list] == [
        today - timedelta(days=20),
        today + timedelta(days=2),
    ]
    assert every.context["page"].paginator.count == 6


def test_the_promise_page_has_no_quote_card_before_a_quote_is_followed_up(
    owner_client, business, owner
):
    FollowUpFactory(
        customer=CustomerFactory(business=business), done_at=timezone.now(), outcome="content"
    )
    page = owner_client.get(reverse("web:promise_reliability")).content.decode()
    assert "quote-decisions" not in page

    # Asked, and not decided yet: the card says so, in English too.
    FollowUpFactory(customer=CustomerFactory(business=business), reason="quote")
    account_language_set(user=owner, language="en")
    card = owner_client.get(reverse("web:promise_reliability")).content.decode()
    assert (
        "<p>No customer has decided on a quote yet.</p>\n"
        '    <p class="subtle"><a href="/aftercare/?reason=quote&amp;state=open" '
        'data-testid="quote-undecided">1 not decided yet</a>. As the follow-ups after a quote '
        "planned since"
    ) in card


def test_todays_follow_ups_show_all_pages_through_every_one_it_counts(
    owner_client, business, owner
):
    today = business.today()
    customer = CustomerFactory(business=business, name="Anna de Vries")
    for index in range(55):
        FollowUpFactory(customer=customer, due_on=today - timedelta(days=index % 15))
    FollowUpFactory(customer=customer, due_on=today - timedelta(days=15))  # not Today's

    page = owner_client.get(reverse("web:today")).content.decode()
    assert 'href="/aftercare/?state=due" data-testid="show-all-follow_ups">Toon alle 55</a>' in page

    first = owner_client.get("/aftercare/", {"state": "due"})
    second = owner_client.get("/aftercare/", {"state": "due", "page": "2"})
    assert len(_rows(first)) == 50
    assert len(_rows(second)) == 5
    assert "Pagina 2 van 2" in second.content.decode()
    listed = list(first.context["page"].object_list) + list(second.context["page"].object_list)
    assert len({follow_up.pk for follow_up in listed}) == 55
    assert [follow_up.due_on for follow_up in listed] == sorted(f.due_on for f in listed)


def test_the_aftercare_list_speaks_english(owner_client, business, owner):
    _follow_ups(business, owner)
    business.language = "en"
    business.save(update_fields=["language"])

    page = owner_client.get("/aftercare/", {"state": "due"})
    text = page.content.decode()

    assert "<h1>Aftercare</h1>" in text
    assert "2 follow-ups in this list" in text
    assert ">Open and due</option>" in text
    assert '<span class="badge nowrap">due</span>' in text


@pytest.mark.parametrize(
    ("language", "cell"),
    [
        (
            "en",
            "Is the customer content again after the complaint “Buffet kwam een uur te laat”? "
            '<span class="subtle">· after a complaint</span>',
        ),
        (
            "nl",
            "Is de klant weer tevreden na de klacht “Buffet kwam een uur te laat”? "
            '<span class="subtle">· na een klacht</span>',
        ),
    ],
)
def test_the_aftercare_list_names_the_complaint_once(owner_client, owner, business, language, cell):
    """The note quotes the complaint without its full stop, so the list, looking for the
    whole description in it, quoted it again: "… after the complaint: Buffet kwam een uur te
    laat? · after a complaint: Buffet kwam een uur te laat."."""
    business.language = language
    business.save(update_fields=["language"])
    account_language_set(user=owner, language=language)
    moment = timezone.now() - timedelta(days=3)
    complaint = ComplaintFactory(
        customer=CustomerFactory(business=business, name="Anna de Vries"),
        description="Buffet kwam een uur te laat.",
        received_at=moment,
        first_response_at=moment,
        resolved_at=moment + timedelta(hours=1),
    )
    follow_up_plan_for_complaint(complaint=complaint)

    page = owner_client.get("/aftercare/").content.decode()

    assert cell in page
    assert page.count("Buffet kwam een uur te laat") == 1


def test_the_aftercare_list_names_the_quote_once_and_shows_its_decision(owner_client, business):
    """The note quotes the promise without its full stop, as it quotes a complaint."""
    quote = PromiseFactory(
        customer=CustomerFactory(business=business, name="Henk Bos"),
        kind="quote",
        description="Offerte distributieriem Golf.",
        made_at=timezone.now() - timedelta(days=6),
        due_at=timezone.now() - timedelta(days=2),
        done_at=timezone.now() - timedelta(days=2),
    )
    follow_up_plan_for_promise(promise=quote)
    FollowUpFactory(
        customer=quote.customer,
        reason="quote",
        note="Heeft de klant al besloten over de offerte: Winterbanden?",
        due_on=business.today() - timedelta(days=1),
        done_at=timezone.now(),
        outcome=Outcome.DECLINED,
    )

    page = owner_client.get("/aftercare/").content.decode()

    assert (
        "Heeft de klant al besloten over de offerte: Offerte distributieriem Golf? "
        '<span class="subtle">· na een offerte</span>'
    ) in page
    assert page.count("Offerte distributieriem Golf") == 1
    # A declined quote is no failure of care: a plain badge, not a red one.
    assert '<span class="badge nowrap">offerte afgewezen</span>' in page


def test_todays_overdue_and_due_promises_open_the_promise_list_with_the_same_rows(
    owner_client, business, owner
):
    business = _at_midday_now(business)
    now = timezone.now()
    anna = CustomerFactory(business=business, name="Anna de Vries")
    made = now - timedelta(days=10)
    for days in range(1, 7):  # from earlier days of the last week, two a day
        for hours in (0, 3):
            PromiseFactory(
                customer=anna, made_at=made, due_at=now - timedelta(days=days, hours=hours)
            )
    for hours in range(1, 12):  # today's, passed
        PromiseFactory(customer=anna, made_at=made, due_at=now - timedelta(hours=hours))
    PromiseFactory(customer=anna, made_at=made, due_at=now + timedelta(minutes=30))  # to come
    PromiseFactory(customer=anna, made_at=made, due_at=now - timedelta(days=8))  # not Today's
    PromiseFactory(  # kept: not on Today
        customer=anna, made_at=made, due_at=now - timedelta(hours=2), done_at=now
    )
    PromiseFactory(customer=anna, made_at=made, due_at=now + timedelta(days=1))  # tomorrow

    page = owner_client.get(reverse("web:today")).content.decode()
    today = today_list(business=business)
    overdue = owner_client.get("/promises/", {"agenda": "overdue", "order": "due"})
    due_today = owner_client.get("/promises/", {"agenda": "today", "order": "due"})

    assert (today.overdue.total, today.due_today.total) == (12, 12)
    assert overdue.context["page"].paginator.count == 12
    assert due_today.context["page"].paginator.count == 12
    assert [view.promise for view in due_today.context["views"]] == [
        view.promise for view in today_list(business=business, whole="due_today").due_today.items
    ]
    for listed in (overdue, due_today):
        due_moments = [view.promise.due_at for view in listed.context["views"]]
        assert due_moments == sorted(due_moments)  # the oldest due first, as on Today
    today_start = business.start_of(business.local(now).date())
    assert all(view.promise.due_at < today_start for view in overdue.context["views"])
    assert all(view.promise.due_at >= today_start for view in due_today.context["views"])
    assert 'href="/promises/?agenda=overdue&amp;order=due" data-testid="show-all-overdue">' in page
    assert 'href="/promises/?agenda=today&amp;order=due" data-testid="show-all-due_today">' in page
    assert page.count("Toon alle 12") == 2
    assert ">Achterstallig, vóór vandaag (7 dagen)</option>" in overdue.content.decode()
    assert (
        '<option value="today" selected>Vandaag, ook wat al voorbij is</option>'
        in due_today.content.decode()
    )
    # An unknown value shows every promise, as the other filters do.
    assert owner_client.get("/promises/", {"agenda": "x"}).context["page"].paginator.count == 27


def test_an_old_bookmark_of_todays_promises_opens_the_whole_days_list(owner_client, business):
    """?agenda=due_today (only what was still to come) moves on to ?agenda=today, keeping the
    kind, member and order it was filtered by."""
    old = "/promises/?agenda=due_today&kind=repair&member=7&order=due"

    response = owner_client.get(old)

    assert response.status_code == 301
    path, _, query = response["Location"].partition("?")
    assert path == "/promises/"
    assert QueryDict(query) == QueryDict("agenda=today&kind=repair&member=7&order=due")
    assert owner_client.get(response["Location"]).status_code == 200


def test_todays_occasions_page_through_every_one_it_counts(owner_client, business):
    today = business.today()
    for index in range(60):
        CustomerFactory(
            business=business,
            name=f"Klant {index:02}",
            marketing_consent=True,
            birthday=today.replace(year=1980),
            # The first five are customers since this day five years ago as well.
            customer_since=today.replace(year=today.year - 5)
            if index < 5
            else today - timedelta(days=3),
        )
    CustomerFactory(business=business, name="Zonder toestemming", birthday=today.replace(year=1990))

    today_page = owner_client.get(reverse("web:today")).content.decode()
    first = owner_client.get(reverse("web:today"), {"show": "occasions"}).content.decode()
    second = owner_client.get(reverse("web:today"), {"show": "occasions", "page": "2"})
    second_page = second.content.decode()

    assert today_list(business=business).occasions.total == 65
    assert 'href="?show=occasions#occasions-heading"' in today_page
    assert "Toon alle 65" in today_page
    rows = re.findall(r'id="(occasion-\d+-\w+)"', first) + re.findall(
        r'id="(occasion-\d+-\w+)"', second_page
    )
    assert len(rows) == len(set(rows)) == 65
    assert first.count('id="occasion-') == 55  # fifty customers, five of them twice
    assert "Pagina 1 van 2" in first
    assert "Pagina 2 van 2" in second_page
    assert 'href="?show=occasions&amp;page=2#occasions-heading"' in first
    assert "De eerste" not in first  # no dead end
    assert "Klant 59" in second_page
    assert "Zonder toestemming" not in first + second_page
    # Past the last page: the last page.
    assert (
        owner_client.get(reverse("web:today"), {"show": "occasions", "page": "9"})
        .content.decode()
        .count('id="occasion-')
        == 10
    )


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_new_lists_read_the_database_a_fixed_number_of_times(owner_client, business, owner):
    business = _at_midday_now(business)
    today, now = business.today(), timezone.now()
    paths = [
        "/aftercare/",
        "/aftercare/?state=due&page=2",
        "/promises/?agenda=overdue&order=due&page=2",
        "/?show=occasions&page=2",
    ]

    def add(count: int) -> None:
        for _ in range(count):
            customer = CustomerFactory(
                business=business, marketing_consent=True, birthday=today.replace(year=1980)
            )
            FollowUpFactory(customer=customer, due_on=today, assigned_to=owner)
            FollowUpFactory(customer=customer, due_on=today, done_at=now, outcome="content")
            PromiseFactory(
                customer=customer, made_at=now - timedelta(days=2), due_at=now - timedelta(hours=1)
            )

    add(51)
    for path in paths:  # figures cached after the first view
        _queries(owner_client, path)
    before = {path: _queries(owner_client, path) for path in paths}
    add(30)
    after = {path: _queries(owner_client, path) for path in paths}

    assert after == before


def test_the_menu_leads_staff_to_the_aftercare_list(staff_client, business):
    # Staff do the follow-ups: the list is theirs as much as the owner's, beside the complaints.
    response = staff_client.get("/aftercare/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="/complaints/">Klachten</a>\n          <a href="/aftercare/">Nazorg</a>' in html
