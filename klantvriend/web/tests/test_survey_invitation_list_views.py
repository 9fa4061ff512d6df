"""The list of survey invitations (/surveys/invitations/): every invitation of the business, the
newest first, by state, channel and period, fifty a page; the survey results' count of
invitations and their share answered open it, counted by the same conditions; "Ask again" by
e-mail where the sending service would allow it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from klantvriend.customers.models import LegalBasis
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.surveys import selectors
from klantvriend.surveys.models import InvitationChannel, InvitationTrigger, SurveyInvitation
from klantvriend.surveys.tests.factories import SurveyInvitationFactory, SurveyResponseFactory
from klantvriend.web.templatetags.klantvriend import day

LIST = "/surveys/invitations/"


def _listed(response) -> list[str]:
    return [row["invitation"].customer.name for row in response.context["rows"]]


def _consenting(business, name: str):
    return CustomerFactory(
        business=business,
        name=name,
        email=f"{name.split()[0].lower()}@example.nl",
        marketing_consent=True,
        marketing_consent_basis=LegalBasis.CONSENT,
    )


@pytest.fixture
def invitations(business, owner, staff_user):
    """Seven invitations of six customers, at whole minutes before now (one per customer but
    Anna's two):
    - "Bas Open": at the counter by Joris 2 days ago, valid 12 days more;
    - "Wim Withdrawn": by e-mail after a delivery 5 days ago, withdrawn 4 days ago, not sent;
    - "Anna Answered": by e-mail by Sanne 20 days ago, e-mailed a minute later, answered 19
      days ago with a 9;
    - "Dirk Recent": at the counter 30 days ago, expired, no consent to e-mail: may be asked
      again 90 days after it;
    - "Carla Consent": by e-mail after a complaint 120 days ago, expired, her only one, with
      consent: may be asked again now;
    - "Anna Answered" again: by e-mail 200 days ago, expired (her later one was answered);
    - "Eva Old": at the counter 400 days ago, expired, before the last twelve months."""
    now = timezone.now().replace(second=0, microsecond=0)
    anna = _consenting(business, "Anna Answered")
    carla = _consenting(business, "Carla Consent")

    def invite(customer, days, channel=InvitationChannel.COUNTER, **fields):
        created = now - timedelta(days=days)
        return SurveyInvitationFactory(
            customer=customer,
            channel=channel,
            created_at=created,
            expires_at=created + timedelta(days=14),
            **fields,
        )

    made = {
        "open": invite(
            CustomerFactory(business=business, name="Bas Open"), 2, created_by=staff_user
        ),
        "withdrawn": invite(
            CustomerFactory(business=business, name="Wim Withdrawn"),
            5,
            InvitationChannel.EMAIL,
            trigger=InvitationTrigger.DELIVERY,
            withdrawn_at=now - timedelta(days=4),
        ),
        "dirk": invite(CustomerFactory(business=business, name="Dirk Recent"), 30),
        "carla": invite(carla, 120, InvitationChannel.EMAIL, trigger=InvitationTrigger.COMPLAINT),
        "anna old": invite(anna, 200, InvitationChannel.EMAIL),
        "eva": invite(CustomerFactory(business=business, name="Eva Old"), 400),
    }
    answered = invite(
        anna,
        20,
        InvitationChannel.EMAIL,
        created_by=owner,
        sent_at=now - timedelta(days=20) + timedelta(minutes=1),
        answered_at=now - timedelta(days=19),
    )
    SurveyResponseFactory(
        customer=anna, invitation=answered, answered_at=answered.answered_at, nps=9
    )
    made["answered"] = answered
    return made


# The standing invitations, the newest first (Wim's is withdrawn).
ORDER = [
    "Bas Open",
    "Anna Answered",
    "Dirk Recent",
    "Carla Consent",
    "Anna Answered",
    "Eva Old",
]


def test_every_standing_invitation_is_listed_the_newest_first(owner_client, invitations):
    response = owner_client.get(LIST)

    assert response.status_code == 200
    assert _listed(response) == ORDER
    html = response.content.decode()
    tally = re.search(r'data-testid="invitation-tally">(.*?)</p>', html).group(1)
    # The withdrawn ones, left out of the list, are a click away.
    assert tally == (
        "6 uitnodigingen: 1 beantwoord, 1 nog open, 4 verlopen zonder antwoord. "
        "Beantwoord: 20% van de uitnodigingen die niet meer openstaan. "
        '<a href="?state=withdrawn" data-testid="invitations-withdrawn">'
        "Nog 1 is ingetrokken en telt niet mee.</a>"
    )
    assert "6 uitnodigingen in deze lijst" in html
    assert "<h1>Uitnodigingen</h1>" in html


def test_each_row_says_whom_when_how_by_whom_and_what_came_of_it(owner_client, invitations):
    html = owner_client.get(LIST).content.decode()
    rows = {
        key: re.search(rf'<tr id="invitation-{invitation.pk}">(.*?)</tr>', html, re.S).group(1)
        for key, invitation in invitations.items()
        if key != "withdrawn"
    }

    answered = rows["answered"]
    customer_id = invitations["answered"].customer_id
    assert f'href="/customers/{customer_id}/"' in answered
    assert "e-mail · " not in answered
    assert " · e-mail<br>" in answered
    assert "Met de hand · door Sanne · gemaild " in answered
    assert 'badge-answered">Beantwoord<' in answered
    assert f'href="/customers/{customer_id}/?answers=all#surveys-heading"' in answered
    assert '<span class="promoter">9/10</span>' in answered
    assert "beantwoord op " in answered
    assert "invitation-ask-again" not in answered

    opened = rows["open"]
    assert " · QR-code in de zaak<br>" in opened
    assert "door Joris" in opened
    assert 'badge-open">Open<' in opened
    assert "geldig tot " in opened
    assert "invitation-ask-again" not in opened

    carla = rows["carla"]
    assert "Na een opgeloste klacht · e-mail nog niet verstuurd" in carla
    assert 'badge-expired">Verlopen<' in carla
    assert 'data-testid="invitation-ask-again"' in carla
    assert "verlopen op " in carla
    assert "door " not in carla  # made by no one: automatically

    dirk = rows["dirk"]
    assert "invitation-ask-again" not in dirk  # no consent to e-mail, and too soon
    assert "invitation-again-from" in dirk
    # Anna's older one: her latest was answered, so it is not hers to ask again from.
    assert "invitation-ask-again" not in rows["anna old"]


MONTHS = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def test_an_expired_invitation_says_from_when_the_customer_can_be_asked_again(
    owner_client, business, invitations
):
    """Dirk's expired 16 days ago, made 30 days ago: the interval (90 days) ends 60 days from
    now. Bas's is open: its link still works, so it says nothing of asking again."""
    html = owner_client.get(LIST).content.decode()
    dirk = re.search(rf'<tr id="invitation-{invitations["dirk"].pk}">(.*?)</tr>', html, re.S)
    bas = re.search(rf'<tr id="invitation-{invitations["open"].pk}">(.*?)</tr>', html, re.S)
    day = timezone.localtime(invitations["dirk"].created_at + timedelta(days=90)).date()

    assert (
        'data-testid="invitation-again-from">kan opnieuw gevraagd worden vanaf '
        f"{day.day}\xa0{MONTHS[day.month - 1]}\xa0{day.year}<"
    ) in dirk.group(1)
    assert "invitation-again-from" not in bas.group(1)


@pytest.mark.parametrize(
    ("query", "expected", "count"),
    [
        ("state=answered", ["Anna Answered"], 1),
        (
            "state=unanswered",
            ["Bas Open", "Dirk Recent", "Carla Consent", "Anna Answered", "Eva Old"],
            5,
        ),
        ("state=open", ["Bas Open"], 1),
        ("state=expired", ["Dirk Recent", "Carla Consent", "Anna Answered", "Eva Old"], 4),
        ("state=withdrawn", ["Wim Withdrawn"], 1),
        ("channel=email", ["Anna Answered", "Carla Consent", "Anna Answered"], 3),
        ("channel=counter", ["Bas Open", "Dirk Recent", "Eva Old"], 3),
        ("channel=link", [], 0),
        ("period=12m", ORDER[:5], 5),
        ("period=90d", ["Bas Open", "Anna Answered", "Dirk Recent"], 3),
        ("period=90d-before", ["Carla Consent"], 1),
        ("state=expired&channel=email&period=12m", ["Carla Consent", "Anna Answered"], 2),
        ("state=withdrawn&channel=email&period=90d", ["Wim Withdrawn"], 1),
    ],
)
def test_the_filters_narrow_the_list(owner_client, invitations, query, expected, count):
    response = owner_client.get(f"{LIST}?{query}")

    assert _listed(response) == expected
    assert response.context["page"].paginator.count == count


def test_the_tally_counts_the_period_and_channel_chosen_whatever_the_state(
    owner_client, invitations
):
    tally = owner_client.get(f"{LIST}?state=open&channel=email&period=12m").context["tally"]

    assert (tally.answered, tally.open, tally.expired, tally.withdrawn) == (1, 0, 2, 1)


@pytest.mark.parametrize(
    "query", ["state=bogus", "channel=fax", "period=5y", "state=&channel=&period=", "page=zzz"]
)
def test_a_filter_edited_by_hand_shows_the_whole_list(owner_client, invitations, query):
    """As the promise list: a value that is not one of the choices is left out."""
    response = owner_client.get(f"{LIST}?{query}")

    assert response.status_code == 200
    assert _listed(response) == ORDER
    assert response.context["state"] == response.context["channel"] == ""
    assert response.context["period"] == ""


def test_an_empty_list_says_how_invitations_are_made_and_a_filtered_one_says_none_match(
    owner_client, business
):
    html = owner_client.get(LIST).content.decode()
    assert "Nog geen uitnodigingen." in html

    SurveyInvitationFactory(customer=CustomerFactory(business=business))
    html = owner_client.get(f"{LIST}?state=answered").content.decode()
    assert "Geen uitnodigingen met deze filters." in html


def _many(business, count: int) -> list[int]:
    """`count` invitations of a new customer an hour apart, the newest an hour ago; their ids,
    newest first."""
    now = timezone.now().replace(second=0, microsecond=0)
    customer = CustomerFactory(business=business, name="Cees")
    made_before = SurveyInvitation.objects.count()
    made = SurveyInvitation.objects.bulk_create(
        [
            SurveyInvitation(
                business=business,
                customer=customer,
                channel=InvitationChannel.COUNTER,
                token_hash=f"{made_before + number:064x}",
                created_at=now - timedelta(hours=number + 1),
                expires_at=now - timedelta(hours=number + 1) + timedelta(days=14),
            )
            for number in range(count)
        ]
    )
    return [invitation.pk for invitation in made]


def test_the_list_pages_by_fifty_without_a_cap(owner_client, business):
    ids = _many(business, 120)

    first = owner_client.get(LIST)
    second = owner_client.get(f"{LIST}?page=2")
    last = owner_client.get(f"{LIST}?page=3")

    def page_ids(response):
        return [row["invitation"].pk for row in response.context["rows"]]

    assert first.context["page"].paginator.num_pages == 3
    assert page_ids(first) == ids[:50]
    assert page_ids(second) == ids[50:100]
    assert page_ids(last) == ids[100:]
    assert "Pagina 3 van 3" in last.content.decode()


def test_the_list_reads_the_database_a_fixed_number_of_times(owner_client, business):
    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(path).status_code == 200
        return len(captured)

    paths = [LIST, f"{LIST}?page=2", f"{LIST}?page=3", f"{LIST}?state=open&period=90d"]
    _many(business, 60)
    for path in paths:
        queries(path)  # what a page caches for later is not counted
    before = {path: queries(path) for path in paths}

    _many(business, 200)
    # Customers of their own, some with an answer and a member who made it.
    for _ in range(5):
        SurveyResponseFactory(customer=CustomerFactory(business=business))

    assert {path: queries(path) for path in paths} == before


def test_the_results_count_and_share_answered_open_the_list_of_exactly_those(
    owner_client, invitations
):
    """The results count the last twelve months' standing invitations; their links open the
    list of that period, whole and answered, which holds as many rows as each figure says."""
    results = owner_client.get("/surveys/")
    html = results.content.decode()

    count = re.search(r'<a href="([^"]+)" data-testid="invitations-count">([^<]+)</a>', html)
    answered = re.search(r'<a href="([^"]+)" data-testid="invitations-answered">([^<]+)</a>', html)
    assert count.groups() == ("/surveys/invitations/?period=12m", "5 uitnodigingen")
    assert answered.groups() == (
        "/surveys/invitations/?period=12m&amp;state=answered",
        "waarvan 1 beantwoord",
    )
    # Of the four no longer open: Bas's, still open, may yet be answered
    assert (
        '<span data-testid="response-rate">(25% van de uitnodigingen die niet meer openstaan)'
        '</span>, <a href="/surveys/invitations/?period=12m&amp;state=open" '
        'data-testid="invitations-open">1 nog open</a>.'
    ) in html
    still_open = owner_client.get("/surveys/invitations/?period=12m&state=open")
    assert [row["invitation"].pk for row in still_open.context["rows"]] == [invitations["open"].pk]
    whole = owner_client.get(count.group(1))
    assert whole.context["page"].paginator.count == 5
    assert len(whole.context["rows"]) == 5
    only_answered = owner_client.get(answered.group(1).replace("&amp;", "&"))
    assert [row["invitation"].pk for row in only_answered.context["rows"]] == [
        invitations["answered"].pk
    ]
    # The same period: the list's twelve months begin where the results' do.
    assert abs(whole.context["since"] - results.context["results"].since) < timedelta(seconds=5)


def test_the_results_count_and_the_list_agree_on_a_larger_shop(owner_client, business):
    """Invitations on both sides of the twelve months' edge, some answered, some withdrawn."""
    ids = _many(business, 9000)  # an hour apart: a year and a few days
    SurveyInvitation.objects.filter(pk__in=ids[::7]).update(answered_at=timezone.now())
    SurveyInvitation.objects.filter(pk__in=ids[3::11]).update(
        withdrawn_at=timezone.now(), answered_at=None
    )
    figures = owner_client.get("/surveys/").context["results"].invitations

    listed = owner_client.get(f"{LIST}?period=12m").context["page"].paginator
    answered = owner_client.get(f"{LIST}?period=12m&state=answered").context["page"].paginator

    assert figures.standing == listed.count
    assert figures.answered == answered.count
    year = timezone.now() - timedelta(days=365)
    standing = SurveyInvitation.objects.filter(created_at__gte=year, withdrawn_at__isnull=True)
    assert listed.count == standing.count()
    assert answered.count == standing.filter(answered_at__isnull=False).count()
    # The last page holds the rest, exactly.
    last = owner_client.get(f"{LIST}?period=12m&page={listed.num_pages}")
    assert len(last.context["rows"]) == listed.count - 50 * (listed.num_pages - 1)


def test_ask_again_sends_a_new_invitation_by_email_and_comes_back_to_the_list(
    owner_client, invitations, django_capture_on_commit_callbacks
):
    carla = invitations["carla"].customer
    back = f"{LIST}?state=expired"

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            f"/customers/{carla.pk}/survey-invitations/?next={back}", {"channel": "email"}
        )

    assert response.status_code == 302
    assert response["Location"] == back
    new = SurveyInvitation.objects.filter(customer=carla).order_by("-created_at").first()
    assert new.pk != invitations["carla"].pk
    assert (new.channel, new.trigger) == (InvitationChannel.EMAIL, InvitationTrigger.MANUAL)
    assert [message.to for message in mail.outbox] == [["carla@example.nl"]]
    html = owner_client.get(back).content.decode()
    assert "Uitnodiging voor de enquête verstuurd naar carla@example.nl." in html
    # Her new invitation is open now: she is not offered again.
    assert 'data-testid="invitation-ask-again"' not in html


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nl", "Deze klant is onlangs uitgenodigd; een volgende uitnodiging kan vanaf "),
        ("en", "This customer was invited recently; the next invitation is possible from "),
    ],
)
def test_asking_again_too_soon_is_refused_says_why_and_changes_nothing(
    owner_client, owner, invitations, language, message, django_capture_on_commit_callbacks
):
    """A customer invited within the interval (ask again posted from a page opened before,
    or by hand): the service refuses, nothing is stored or sent, the list says why."""
    from klantvriend.core.accounts import account_language_set

    account_language_set(user=owner, language=language)
    anna = invitations["answered"].customer
    before = list(SurveyInvitation.objects.order_by("pk").values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            f"/customers/{anna.pk}/survey-invitations/?next={LIST}", {"channel": "email"}
        )

    assert response["Location"] == LIST
    assert list(SurveyInvitation.objects.order_by("pk").values_list("pk", flat=True)) == before
    assert mail.outbox == []
    assert message in owner_client.get(LIST).content.decode()


def test_ask_again_without_consent_is_refused_and_changes_nothing(owner_client, invitations):
    dirk = invitations["dirk"].customer
    count = SurveyInvitation.objects.count()

    owner_client.post(f"/customers/{dirk.pk}/survey-invitations/?next={LIST}", {"channel": "email"})

    assert SurveyInvitation.objects.count() == count
    assert "Deze klant heeft geen e-mailadres." in owner_client.get(LIST).content.decode()


def test_a_next_address_of_another_site_is_not_followed(owner_client, invitations):
    carla = invitations["carla"].customer

    response = owner_client.post(
        f"/customers/{carla.pk}/survey-invitations/?next=https://evil.example/",
        {"channel": "email"},
    )

    assert response["Location"] == f"/customers/{carla.pk}/"


def test_staff_see_the_list_as_they_see_the_results(staff_client, invitations):
    results = staff_client.get("/surveys/")
    response = staff_client.get(LIST)

    assert results.status_code == response.status_code == 200
    assert _listed(response) == ORDER
    assert 'data-testid="invitations-count"' in results.content.decode()


def test_another_business_s_invitations_are_neither_listed_nor_counted(
    owner_client, other_business, invitations
):
    SurveyInvitationFactory(customer=CustomerFactory(business=other_business, name="Geheim Elders"))

    response = owner_client.get(LIST)

    assert _listed(response) == ORDER
    assert response.context["tally"].standing == 6
    assert "Geheim Elders" not in response.content.decode()
    assert selectors.survey_results(business=other_business).invitations.standing == 1


def test_the_list_speaks_english_too(owner_client, owner, invitations):
    from klantvriend.core.accounts import account_language_set

    account_language_set(user=owner, language="en")

    html = owner_client.get(LIST).content.decode()

    assert "<h1>Invitations</h1>" in html
    assert (
        "6 invitations: 1 answered, 1 still open, 4 expired without an answer. Answered: 20% of "
        'those no longer open. <a href="?state=withdrawn" data-testid="invitations-withdrawn">1 '
        "more was withdrawn and counts for nothing.</a>"
    ) in html
    assert 'badge-open">Open<' in html
    assert "After a resolved complaint · email not sent yet" in html
    assert ">Ask again<" in html
    results = owner_client.get("/surveys/").content.decode()
    assert 'data-testid="invitations-count">5 invitations</a>' in results
    # "of them": the invitations answered, not the answers, which may count one more (an
    # invitation of the month before the twelve answered within them): 1,164 beside 1,165.
    assert 'data-testid="invitations-answered">1 of them answered</a>' in results
    assert '<span data-testid="response-rate">(25% of those no longer open)</span>' in results


def test_the_open_invitations_page_from_the_newest_to_the_last(owner_client, business):
    """The open ones (made an hour apart, the newest an hour ago, valid 14 days: the newest 335)
    are read from the start, as they are all among the newest: the last page holds exactly the
    oldest of them, not expired ones."""
    ids = _many(business, 400)
    open_ids = ids[:335]

    last = owner_client.get(f"{LIST}?state=open&page=7")

    assert last.context["page"].paginator.count == 335
    assert [row["invitation"].pk for row in last.context["rows"]] == open_ids[300:]
    middle = owner_client.get(f"{LIST}?state=open&page=4")
    assert [row["invitation"].pk for row in middle.context["rows"]] == open_ids[150:200]


@pytest.mark.parametrize(
    ("period", "days"),
    [("90d", (90, None)), ("90d-before", (180, 90)), ("12m", (365, None))],
)
def test_the_period_is_said_in_days_without_a_clock_time(owner_client, business, period, days):
    """ "sinds 3 sep 2026 08:30": a clock time a shopkeeper reads as a mistake for "the last 90
    days"."""
    page = owner_client.get(LIST, {"period": period}).content.decode()

    # The windows are counted back from now in whole 24 hours (promises.selectors.PERIODS):
    # late in the evening in winter, 90 of them back reach into the next day of summer time.
    now = timezone.now()
    since, until = (
        None if ago is None else business.local(now - timedelta(days=ago)).date() for ago in days
    )
    said = re.search(r'<p class="subtle">(Uitnodigingen voor de enquête [^<]+)</p>', page)[1]
    with translation.override("nl"):
        shown = {moment: day(moment) for moment in (since, until) if moment is not None}
    if until is None:
        assert said == f"Uitnodigingen voor de enquête sinds {shown[since]}, de nieuwste eerst."
    else:
        assert said == (
            f"Uitnodigingen voor de enquête van {shown[since]} tot {shown[until]}, de nieuwste"
            " eerst."
        )
    assert not re.search(r"\d{2}:\d{2}", said)
