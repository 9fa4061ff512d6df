"""Surveys, referrals and the acquisition report in the web UI (the Dutch UI is the default)."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import formats, timezone

from klantvriend.aftercare.models import FollowUp
from klantvriend.complaints.models import Complaint
from klantvriend.core.accounts import account_language_set
from klantvriend.core.tests.days import open_on
from klantvriend.customers.models import Customer, LegalBasis
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.insights.services import insights_refresh
from klantvriend.surveys.models import Survey, SurveyInvitation, SurveyResponse
from klantvriend.surveys.services import invitation_for_key, survey_invitation_create
from klantvriend.surveys.tests.factories import (
    SurveyInvitationFactory,
    SurveyResponseFactory,
    reliability_separating_answers,
)
from klantvriend.web.survey_views import QR_LINKS, QR_LINKS_KEPT

ANSWER = {
    "nps": "3",
    "certainty": "2",
    "flexibility": "4",
    "reliability": "1",
    "customisation": "",
    "complaint_handling": "",
    "comment": "Lang moeten wachten",
}


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, name="Anna de Vries", email="anna@example.nl")


@pytest.fixture
def link(business, customer):
    return survey_invitation_create(business=business, customer=customer, channel="counter").path


def test_the_public_page_needs_no_account_and_follows_the_browser_language(link):
    english = Client(headers={"Accept-Language": "en-GB,en;q=0.9"})
    page = english.get(link)
    assert page.status_code == 200
    body = page.content.decode()
    assert '<html lang="en">' in body
    assert "How likely are you to recommend us" in body
    assert "<fieldset" in body
    assert "<legend>" in body
    dutch = Client(headers={"Accept-Language": "nl"}).get(link)
    assert "Hoe waarschijnlijk" in dutch.content.decode()
    switched = english.get(link, {"lang": "nl"})
    assert '<html lang="nl">' in switched.content.decode()


def test_the_public_page_names_its_icon_so_the_phone_asks_for_no_missing_favicon(link):
    """Without an icon link a browser asks for /favicon.ico, which is not there: a 404 on the
    customer's phone for every survey opened."""
    body = Client().get(link).content.decode()

    assert re.search(r'<link rel="icon" href="/static/klantvriend/icon[^"]*\.svg"', body)


def test_answering_stores_once_and_a_detractor_lands_on_today(
    link, business, customer, owner_client, owner
):
    public = Client()
    answered = public.post(link, {**ANSWER, "lang": "en"})
    assert answered.status_code == 200
    assert "We are sorry" in answered.content.decode()
    again = public.post(link, {**ANSWER, "nps": "10", "lang": "en"})
    assert again.status_code == 200
    assert "already answered" in again.content.decode()
    assert SurveyResponse.objects.get().nps == 3

    follow_up = FollowUp.objects.get()
    assert (follow_up.assigned_to, follow_up.due_on) == (owner, open_on(business.today()))
    # On Today the day it is planned for: today, or on a Sunday the Monday after (the suite
    # runs on any day).
    today = owner_client.get("/").content.decode()
    on_today = follow_up.due_on == business.today()
    assert ("Lang moeten wachten" in today, "Anna de Vries" in today) == (on_today, on_today)


@pytest.mark.parametrize(
    ("language", "comment", "kept", "complaints", "follow_ups"),
    [
        (
            "nl",
            "De worst was bedorven.",
            "Wat u zojuist schreef, is meteen naar de eigenaar gegaan, die het persoonlijk leest.",
            0,
            1,
        ),
        (
            "en",
            "The sausage was off. I want a refund.",
            "What you wrote just now we have recorded as a complaint, and we will deal with it.",
            1,
            0,
        ),
    ],
)
def test_a_second_answer_from_a_tab_left_open_keeps_its_words_and_says_so(
    link, language, comment, kept, complaints, follow_ups
):
    """The second tab's words (spoiled meat) were dropped while the customer was thanked."""
    Client().post(link, {**ANSWER, "nps": "7", "comment": ""})

    page = Client().post(link, {**ANSWER, "nps": "1", "comment": comment, "lang": language})

    body = page.content.decode()
    assert page.status_code == 200
    assert re.findall(r'<p data-testid="survey-late-kept">([^<]+)</p>', body) == [kept]
    assert {
        "nl": "Uw eerste antwoord was al binnen en blijft staan: de scores die u zojuist gaf,"
        " zijn niet bewaard.",
        "en": "You had already answered this survey, and your first answer stands: the scores"
        " you gave just now were not saved.",
    }[language] in body
    assert SurveyResponse.objects.get().nps == 7
    assert (Complaint.objects.count(), FollowUp.objects.count()) == (complaints, follow_ups)


def test_the_link_opened_again_after_answering_thanks_again_in_the_language_chosen(link):
    """The thanks page's language switch opens the link again: it said "You have already
    answered this survey", as if the customer had done something wrong."""
    Client().post(link, ANSWER)

    page = Client().get(link, {"lang": "en"})

    body = page.content.decode()
    assert page.status_code == 200
    assert re.findall(r'<h1 data-testid="survey-thanks">([^<]+)</h1>', body) == ["We are sorry"]
    assert re.findall(r'<p data-testid="survey-sorry">([^<]+)</p>', body) == [
        "We did not do well enough this time. Your answer went straight to the owner, who"
        " will look at it personally."
    ]
    assert "already answered" not in body
    assert (SurveyResponse.objects.count(), FollowUp.objects.count()) == (1, 1)


def test_switching_language_on_the_form_keeps_what_was_chosen_and_typed(link):
    """The switch was a link: the page came back in English with every answer gone."""
    dutch = Client(headers={"Accept-Language": "nl"})

    page = dutch.post(link, {"nps": "8", "certainty": "4", "comment": "Prima", "switch_lang": "en"})

    body = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="en">' in body
    assert "How likely are you to recommend us" in body
    assert re.findall(r'<input type="radio" name="nps" value="(\d+)"[^>]* checked', body) == ["8"]
    assert re.findall(r'<input type="radio" name="certainty" value="(\d)"[^>]* checked', body) == [
        "4"
    ]
    assert "Prima</textarea>" in body
    assert "not been sent yet" not in body  # nothing refused: nothing was sent
    assert SurveyResponse.objects.count() == 0


def test_the_link_opened_again_thanks_in_the_language_the_customer_answered_in(link):
    Client(headers={"Accept-Language": "nl"}).post(link, {**ANSWER, "lang": "en"})

    page = Client(headers={"Accept-Language": "nl"}).get(link)

    assert '<html lang="en">' in page.content.decode()
    assert re.findall(r'<h1 data-testid="survey-thanks">([^<]+)</h1>', page.content.decode()) == [
        "We are sorry"
    ]


def test_a_second_answer_without_new_words_says_the_first_stands_and_stores_nothing(link):
    Client().post(link, ANSWER)

    page = Client().post(link, {**ANSWER, "nps": "10", "lang": "en"})

    assert page.status_code == 200
    assert re.findall(r'<p data-testid="survey-message">([^<]+)</p>', page.content.decode()) == [
        "You had already answered this survey: your first answer stands. Thank you!"
    ]
    assert SurveyResponse.objects.get().nps == 3
    assert FollowUp.objects.count() == 1


@pytest.mark.parametrize(
    ("language", "nps", "comment", "heading", "said"),
    [
        (
            "en",
            "3",
            "Lang moeten wachten",
            "We are sorry",
            [
                "We did not do well enough this time. Your answer went straight to the owner,"
                " who will look at it personally.",
                "Thank you for telling us.",
            ],
        ),
        (
            "nl",
            "3",
            "Lang moeten wachten",
            "Het spijt ons",
            [
                "Het ging deze keer niet goed genoeg. Uw antwoord is meteen naar de eigenaar"
                " gegaan, die er persoonlijk naar kijkt.",
                "Dank u wel dat u het ons laat weten.",
            ],
        ),
        (
            "en",
            "2",
            "Ik wil mijn geld terug",
            "We are sorry",
            [
                "We have recorded what you wrote as a complaint and will deal with it.",
                "Thank you for telling us.",
            ],
        ),
        (
            "nl",
            "2",
            "Ik wil mijn geld terug",
            "Het spijt ons",
            [
                "We hebben wat u schreef als klacht genoteerd en gaan ermee aan de slag.",
                "Dank u wel dat u het ons laat weten.",
            ],
        ),
        (
            "en",
            "7",
            "Lang moeten wachten",
            "Thank you!",
            ["Your answers have been received. They help us do better."],
        ),
        (
            "nl",
            "10",
            "",
            "Dank u wel!",
            ["Uw antwoorden zijn ontvangen. Ze helpen ons het beter te doen."],
        ),
    ],
)
def test_the_thanks_tell_an_unhappy_customer_what_their_answer_set_going(
    link, language, nps, comment, heading, said
):
    """A detractor was thanked as a promoter ("Thank you! ... They help us do better.") before
    the apology, though their answer had just put a follow-up on the owner's Today or recorded
    a complaint with its clock: their page opens with the apology."""
    page = Client().post(link, {**ANSWER, "nps": nps, "comment": comment, "lang": language})

    body = page.content.decode()
    main = body[body.index("<h1") : body.index("</main>")]
    response = SurveyResponse.objects.get()
    assert page.status_code == 200
    assert re.findall(r'<h1 data-testid="survey-thanks">([^<]+)</h1>', main) == [heading]
    assert re.findall(r"<p[^>]*>([^<]+)</p>", main) == said
    assert (response.complaint_id is not None, response.follow_up_id is not None) == {
        "3": (False, True),
        "2": (True, False),
    }.get(nps, (False, False))


def test_a_score_out_of_range_keeps_the_form_and_stores_nothing(link):
    page = Client().post(link, {**ANSWER, "nps": "11", "lang": "en"})
    assert page.status_code == 422
    assert "Choose a score from 0 to 10." in page.content.decode()
    assert 'value="Lang moeten wachten"' in page.content.decode() or "Lang moeten wachten" in (
        page.content.decode()
    )
    assert SurveyResponse.objects.count() == 0


def test_the_drivers_open_unchosen_and_left_so_they_are_stored_as_no_opinion(link):
    """Every driver opened with "no opinion" chosen, which looked like an answer given."""
    body = Client().get(link).content.decode()

    assert re.findall(r"<input[^>]*checked[^>]*>", body) == []
    assert "Hoezeer bent u het eens? 1 = helemaal mee oneens, 5 = helemaal mee eens." in body
    english = Client().get(link, {"lang": "en"}).content.decode()
    assert "How far do you agree? 1 = strongly disagree, 5 = strongly agree." in english

    Client().post(link, {"nps": "9", "certainty": "4", "flexibility": "", "comment": ""})

    answer = SurveyResponse.objects.get()
    assert (answer.nps, answer.certainty, answer.flexibility, answer.reliability) == (
        9,
        4,
        None,
        None,
    )


def test_a_refused_answer_keeps_the_drivers_as_chosen_and_no_more(link):
    page = Client().post(link, {"nps": "11", "certainty": "4", "flexibility": ""}).content
    body = page.decode()

    assert re.findall(r'<input[^>]*name="(\w+)" value="(\d*)"[^>]*checked[^>]*>', body) == [
        ("certainty", "4"),
        ("flexibility", ""),
    ]


def test_the_comment_field_stops_at_the_services_limit(link):
    body = Client().get(link).content.decode()

    assert re.findall(r"<textarea[^>]*>", body) == [
        '<textarea name="comment" cols="40" rows="4" maxlength="2000" id="id_comment">'
    ]


@pytest.mark.parametrize(
    ("sent", "links"),
    [
        (
            {"comment": "x" * 2001},
            [("#id_comment", "Wat kunnen we beter doen? Of wat deden we goed?")],
        ),
        (
            {"nps": "", "reliability": "6"},
            [
                (
                    "#id_nps_0",
                    "Hoe waarschijnlijk is het dat u ons aanbeveelt bij vrienden,"
                    " familie of collega&#x27;s?",
                ),
            ],
        ),
    ],
)
def test_a_refused_answer_names_the_fields_to_fix_at_the_top_of_the_form(link, sent, links):
    """The message of a comment too long was only beside the field, far below the top where
    the phone opened the page again: the customer thought the button did nothing."""
    page = Client().post(link, {**ANSWER, **sent})

    body = page.content.decode()
    summary = body[body.index('data-testid="form-error-summary"') : body.index("</ul>")]
    assert page.status_code == 422
    assert body.index('data-testid="form-error-summary"') < body.index("<fieldset")
    assert "Uw antwoorden zijn nog niet verstuurd. Kijk bij:" in summary
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary) == links
    assert SurveyResponse.objects.count() == 0
    assert SurveyInvitation.objects.get().answered_at is None


def test_a_comment_that_fits_the_field_with_its_line_breaks_is_taken(link):
    """The field counts a line break as one character, the browser sends it as two."""
    comment = "\r\n".join(["x" * 199] * 10) + "x"

    page = Client().post(link, {**ANSWER, "comment": comment})

    assert page.status_code == 200
    assert SurveyResponse.objects.get().comment == comment.replace("\r\n", "\n")


def test_a_tampered_link_is_a_friendly_not_found_and_stores_nothing(link):
    tampered = link[:-3] + ("x" if link[-2] != "x" else "y") + "/"
    page = Client().post(tampered, {**ANSWER, "lang": "en"})
    assert page.status_code == 404
    assert "This link is not valid" in page.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_results_show_nps_interval_drivers_and_comments(owner_client, business, customer):
    for score in [10, 9, 9, 3]:
        SurveyResponseFactory(customer=customer, nps=score, comment="Heerlijke rollade")
    page = owner_client.get("/surveys/", headers={"Accept-Language": "en"})
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="nps-score">+50<' in body
    assert "Heerlijke rollade" in body
    assert "<svg" in body


@pytest.mark.parametrize(
    ("language", "nothing", "how", "owner_only", "no_trend"),
    [
        (
            "en",
            "Nothing measured yet: no customer has answered the survey in the last twelve months,"
            " so there is no score.",
            "Answers come in when you invite customers: on a customer's card under Surveys, by"
            " email or with a QR code they scan at the counter.",
            ' Or have them invited after a kept delivery or a resolved complaint, under <a href="'
            '/surveys/settings/">questions and invitations</a>.',
            "No trend yet: it starts with the first answer. A month without answers has no score,"
            " not a score of 0.",
        ),
        (
            "nl",
            "Nog niets gemeten: geen klant heeft de enquête in de laatste twaalf maanden"
            " beantwoord, dus er is geen score.",
            "Antwoorden komen binnen als je klanten uitnodigt: op hun klantkaart onder Enquêtes,"
            " per e-mail of met een QR-code die ze in de zaak scannen.",
            " Of laat ze uitnodigen na een nagekomen levering of een opgeloste klacht, bij"
            ' <a href="/surveys/settings/">vragen en uitnodigingen</a>.',
            "Nog geen verloop: dat begint bij het eerste antwoord. Een maand zonder antwoorden"
            " heeft geen score, geen score van 0.",
        ),
    ],
)
def test_results_without_answers_say_nothing_is_measured_and_draw_no_chart_of_zeros(
    owner_client, staff_client, owner, staff_user, language, nothing, how, owner_only, no_trend
):
    account_language_set(user=owner, language=language)
    account_language_set(user=staff_user, language=language)

    page = owner_client.get("/surveys/").content.decode()
    staff_page = staff_client.get("/surveys/").content.decode()

    assert f'<p class="empty" data-testid="nps-score">{nothing}</p>' in page
    assert f'<p data-testid="nps-how-answers-come">{how}{owner_only}</p>' in page
    assert f'<p class="empty" data-testid="trend-none">{no_trend}</p>' in page
    assert "<svg" not in page
    # Staff cannot change the settings: they read how answers come in, without the link.
    assert f'<p data-testid="nps-how-answers-come">{how}</p>' in staff_page


def test_results_with_one_answer_draw_it_and_say_it_says_little_yet(owner_client, owner, customer):
    SurveyResponseFactory(customer=customer, nps=8)
    account_language_set(user=owner, language="en")

    page = owner_client.get("/surveys/").content.decode()

    assert 'data-testid="nps-score">0<' in page
    assert (
        "With so few answers (1) this score says little yet: from 30 answers on the page says"
        " how sure it is."
    ) in page
    assert "<svg" in page
    assert "trend-none" not in page
    assert "Nothing measured yet" not in page


def test_results_cost_a_fixed_number_of_queries(
    owner_client, business, django_assert_max_num_queries
):
    for score in range(11):
        SurveyResponseFactory(customer=CustomerFactory(business=business), nps=score)
    with django_assert_max_num_queries(14):
        assert owner_client.get("/surveys/").status_code == 200


def test_invite_from_the_profile_shows_a_qr_code_once(owner_client, customer):
    page = owner_client.post(
        f"/customers/{customer.pk}/survey-invitations/", {"channel": "counter"}, follow=True
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body
    assert "style=" not in body.split('data-testid="survey-qr"')[1][:2000]
    invitation = SurveyInvitation.objects.get()
    assert invitation.token_hash not in body
    # Within the period a second invitation is refused with a message, nothing stored.
    again = owner_client.post(
        f"/customers/{customer.pk}/survey-invitations/", {"channel": "counter"}, follow=True
    )
    assert "recent" in again.content.decode() or "onlangs" in again.content.decode()
    assert SurveyInvitation.objects.count() == 1


def _link_on(page) -> str:
    return re.search(r'data-testid="survey-link"[^>]*>([^<]+)<', page.content.decode()).group(1)


def test_the_qr_page_is_a_get_after_the_post_and_a_refresh_shows_the_same_link(
    owner_client, customer
):
    # When the QR code is asked for at the counter
    posted = owner_client.post(
        f"/customers/{customer.pk}/survey-invitations/", {"channel": "counter"}
    )

    # Then the answer is a redirect to a page of its own that shows the link
    invitation = SurveyInvitation.objects.get()
    qr_page = f"/survey-invitations/{invitation.pk}/qr/"
    assert (posted.status_code, posted["Location"]) == (302, qr_page)
    shown = owner_client.get(qr_page)
    assert shown.status_code == 200
    link = _link_on(shown)
    assert link.startswith("https://klanten.example/s/")  # settings.PUBLIC_BASE_URL (test)
    assert invitation_for_key(key=link.rsplit("/", 2)[1]) == invitation
    # and a refresh shows the same link and QR code, and invites nobody again
    refreshed = owner_client.get(qr_page)
    assert (refreshed.status_code, _link_on(refreshed)) == (200, link)
    qr = shown.content.decode().split('data-testid="survey-qr"')[1].split("</div>")[0]
    assert qr in refreshed.content.decode()
    assert SurveyInvitation.objects.count() == 1


@pytest.mark.parametrize(
    ("address", "warned"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8131", True),
        ("http://kassa.localhost", True),
        ("https://klanten.example", False),
        ("http://192.168.1.20:8000", False),  # the shop's own network: a phone there gets it
    ],
)
def test_a_qr_code_that_leads_to_this_computer_says_a_phone_cannot_open_it(
    owner_client, customer, settings, address, warned
):
    """A garage trying Klantvriend on a laptop printed a code for http://localhost:8000/s/…,
    which the customer's phone opened as itself."""
    settings.PUBLIC_BASE_URL = address
    posted = owner_client.post(
        f"/customers/{customer.pk}/survey-invitations/", {"channel": "counter"}
    )

    page = owner_client.get(posted["Location"]).content.decode()

    notice = re.findall(r'<p class="notice" data-testid="survey-qr-unreachable">([^<]*)</p>', page)
    assert notice == (
        [
            "Deze code leidt naar deze computer zelf, omdat Klantvriend hier op proef draait: "
            "de telefoon van een klant kan hem niet openen. Heeft Klantvriend een eigen adres op "
            "internet, zet dat dan als PUBLIC_BASE_URL (zie de installatiehandleiding); dan "
            "leiden de codes daarheen."
        ]
        if warned
        else []
    )


def test_another_session_cannot_see_the_qr_code(owner_client, staff_client, owner, customer):
    owner_client.post(f"/customers/{customer.pk}/survey-invitations/", {"channel": "counter"})
    qr_page = f"/survey-invitations/{SurveyInvitation.objects.get().pk}/qr/"
    other_session = Client()
    other_session.force_login(owner)

    for client in (other_session, staff_client):
        page = client.get(qr_page)
        assert page.status_code == 404
        assert "/s/" not in page.content.decode()
    assert owner_client.get(qr_page).status_code == 200


def test_a_code_not_scanned_is_replaced_by_a_new_one_from_the_profile_by_another_session(
    owner_client, staff_client, customer
):
    # The code is shown only on the page that made it: another member, or the same one after
    # closing the page, could not show it again, and the customer could not be asked for
    # months.
    owner_client.post(f"/customers/{customer.pk}/survey-invitations/", {"channel": "counter"})
    old = SurveyInvitation.objects.get()
    old_link = _link_on(owner_client.get(f"/survey-invitations/{old.pk}/qr/"))

    profile = staff_client.get(f"/customers/{customer.pk}/").content.decode()
    replaced = staff_client.post(f"/survey-invitations/{old.pk}/new-code/", follow=True)

    assert 'data-testid="survey-new-code"' in profile
    assert "Heeft de klant de code niet gescand?" in profile
    new = SurveyInvitation.objects.exclude(pk=old.pk).get()
    assert replaced.redirect_chain == [(f"/survey-invitations/{new.pk}/qr/", 302)]
    new_link = _link_on(replaced)
    assert new_link != old_link
    assert invitation_for_key(key=new_link.rsplit("/", 2)[1]) == new
    old.refresh_from_db()
    assert old.withdrawn_at is not None
    assert new.withdrawn_at is None
    assert (new.channel, new.customer) == ("counter", customer)
    # The old link says it was withdrawn and takes no answer.
    assert Client().get(old_link.removeprefix("http://testserver")).status_code == 410
    # Replaced, it is not offered again; the new one is.
    again = staff_client.post(f"/survey-invitations/{old.pk}/new-code/", follow=True)
    assert "Deze uitnodiging kan niet meer worden ingevuld" in again.content.decode()
    assert SurveyInvitation.objects.count() == 2


def test_an_emailed_or_answered_invitation_gets_no_new_code(owner_client, business, customer):
    emailed = SurveyInvitationFactory(customer=customer, channel="email")
    answered = SurveyInvitationFactory(
        customer=CustomerFactory(business=business), channel="counter", answered_at=timezone.now()
    )
    profile = owner_client.get(f"/customers/{customer.pk}/").content.decode()

    for invitation in (emailed, answered):
        owner_client.post(f"/survey-invitations/{invitation.pk}/new-code/")

    assert 'data-testid="survey-new-code"' not in profile
    assert SurveyInvitation.objects.count() == 2
    assert not SurveyInvitation.objects.filter(withdrawn_at__isnull=False).exists()


def test_the_qr_page_says_when_the_survey_was_answered_and_forgets_the_link(
    owner_client, business, customer
):
    owner_client.post(f"/customers/{customer.pk}/survey-invitations/", {"channel": "counter"})
    invitation = SurveyInvitation.objects.get()
    qr_page = f"/survey-invitations/{invitation.pk}/qr/"
    link = _link_on(owner_client.get(qr_page))
    Client().post(link.removeprefix("http://testserver"), {**ANSWER, "lang": "en"})

    page = owner_client.get(qr_page)

    body = page.content.decode()
    assert page.status_code == 200
    invitation.refresh_from_db()
    # Each on one line on the page: no-break spaces.
    answered = formats.date_format(
        business.local(invitation.answered_at), "SHORT_DATETIME_FORMAT"
    ).replace(" ", "\xa0")
    again = formats.date_format(
        business.local(invitation.created_at + timedelta(days=90)), "SHORT_DATE_FORMAT"
    ).replace(" ", "\xa0")
    assert (
        f"Anna de Vries heeft deze enquête op {answered} ingevuld: de QR-code werkt niet meer."
        in body
    )
    assert 'data-testid="survey-qr"' not in body
    assert "/s/" not in body
    # Within the survey's interval (90 days) no new invitation: the page says from when.
    assert f"Een nieuwe uitnodiging voor deze klant kan vanaf {again}." in body
    assert 'data-testid="survey-qr-again"' not in body
    assert owner_client.session[QR_LINKS] == {}
    assert SurveyInvitation.objects.count() == 1


def test_an_expired_qr_code_says_so_and_offers_a_new_one(owner_client, owner, business, customer):
    account_language_set(user=owner, language="en")
    Survey.objects.create(business=business, invitation_interval_days=0, invitation_valid_days=1)
    owner_client.post(f"/customers/{customer.pk}/survey-invitations/", {"channel": "counter"})
    invitation = SurveyInvitation.objects.get()
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=3),
        expires_at=timezone.now() - timedelta(days=2),
    )
    invitation.refresh_from_db()

    page = owner_client.get(f"/survey-invitations/{invitation.pk}/qr/")

    body = page.content.decode()
    # On one line on the page: no-break spaces.
    expired = formats.date_format(
        business.local(invitation.expires_at), "SHORT_DATE_FORMAT"
    ).replace(" ", "\xa0")
    assert page.status_code == 200
    assert f"This QR code expired on {expired} without an answer." in body
    assert 'data-testid="survey-qr"' not in body
    assert 'data-testid="survey-qr-again"' in body
    made_again = owner_client.post(
        f"/customers/{customer.pk}/survey-invitations/", {"channel": "counter"}, follow=True
    )
    newest = SurveyInvitation.objects.order_by("-id").first()
    assert SurveyInvitation.objects.count() == 2
    assert made_again.redirect_chain == [(f"/survey-invitations/{newest.pk}/qr/", 302)]
    assert 'data-testid="survey-qr"' in made_again.content.decode()
    assert list(owner_client.session[QR_LINKS]) == [str(newest.pk)]


def test_the_session_keeps_only_the_newest_open_links(owner_client, business):
    Survey.objects.create(business=business, invitation_interval_days=0)
    customers = [CustomerFactory(business=business) for _number in range(QR_LINKS_KEPT + 2)]
    for customer in customers:
        owner_client.post(f"/customers/{customer.pk}/survey-invitations/", {"channel": "counter"})

    invitations = list(SurveyInvitation.objects.order_by("id").values_list("pk", flat=True))
    assert list(owner_client.session[QR_LINKS]) == [str(pk) for pk in invitations[-QR_LINKS_KEPT:]]
    assert owner_client.get(f"/survey-invitations/{invitations[0]}/qr/").status_code == 404


def test_email_invitation_without_consent_is_refused_from_the_profile(owner_client, customer):
    page = owner_client.post(
        f"/customers/{customer.pk}/survey-invitations/", {"channel": "email"}, follow=True
    )
    assert page.status_code == 200
    assert SurveyInvitation.objects.count() == 0


def test_email_invitation_with_consent_is_sent(owner_client, business, mailoutbox):
    bram = CustomerFactory(
        business=business,
        email="bram@example.nl",
        marketing_consent=True,
        marketing_consent_basis=LegalBasis.CONSENT,
    )
    owner_client.post(f"/customers/{bram.pk}/survey-invitations/", {"channel": "email"})
    assert SurveyInvitation.objects.get().channel == "email"


def test_the_referrer_picker_searches_this_business_only(owner_client, business, other_business):
    CustomerFactory(business=business, name="Anna de Vries")
    CustomerFactory(business=other_business, name="Anna Elders")
    page = owner_client.get("/customers/referrer-search/", {"referred_by_query": "anna"})
    body = page.content.decode()
    assert "Anna de Vries" in body
    assert "Anna Elders" not in body


def test_the_referrer_picker_finds_by_postcode_and_says_it_does(owner_client, business):
    """The one customer search reads the address; the picker's hint named only name, phone and
    email, so no one would think to type the postcode of a namesake."""
    CustomerFactory(business=business, name="Anna de Vries", postal_code="7201 HV")
    CustomerFactory(business=business, name="Anna Jansen", postal_code="1012 AB")

    found = owner_client.get("/customers/referrer-search/", {"referred_by_query": "7201hv"})
    form = owner_client.get("/customers/new/").content.decode()

    assert "Anna de Vries" in found.content.decode()
    assert "Anna Jansen" not in found.content.decode()
    assert 'placeholder="Naam, telefoon, e-mail of postcode"' in form
    assert (
        "Typ een paar letters van de naam, telefoon, e-mail, postcode of woonplaats van de klant"
        " die hen stuurde." in form
    )


def test_two_customers_of_one_name_are_told_apart_in_the_picker_by_when_they_came(
    owner_client, business
):
    # Two "Sem Brouwer" of one town read alike: the one picked was the wrong one.
    for since in (date(2025, 12, 14), date(2026, 12, 2)):
        CustomerFactory(business=business, name="Sem Brouwer", city="Zutphen", customer_since=since)

    found = owner_client.get("/customers/referrer-search/", {"referred_by_query": "sem"})

    options = re.findall(r'class="link picker-option"[^>]*>(.*?)</button>', found.content.decode())
    assert [re.sub(r"<[^>]+>", "", option).replace("\xa0", " ") for option in options] == [
        "Sem Brouwer · Zutphen · klant sinds 14 dec 2025",
        "Sem Brouwer · Zutphen · klant sinds 2 dec 2026",
    ]


def test_picking_and_saving_a_referrer_on_the_customer_form(owner_client, business):
    anna = CustomerFactory(business=business, name="Anna de Vries")
    picked = owner_client.get("/customers/referrer-pick/", {"customer": anna.pk})
    assert f'name="referred_by" value="{anna.pk}"' in picked.content.decode()
    response = owner_client.post(
        "/customers/new/",
        {"name": "Bram", "acquisition_channel": "referral", "referred_by": anna.pk},
    )
    assert response.status_code == 302
    assert Customer.objects.get(name="Bram").referred_by == anna
    form = owner_client.get(f"/customers/{anna.pk}/edit/").content.decode()
    assert "referrer-picker" in form


def test_every_profile_records_whom_the_customer_brought_in(owner_client, business):
    # Referrals were recorded only with the referred customer (the walk-in panel or their
    # form), where a shopkeeper who starts from the card of the one who brings others does
    # not look: each profile records whom its customer brought in (test_referral_add_views).
    anna = CustomerFactory(business=business, name="Anna de Vries")
    bram = CustomerFactory(business=business, name="Bram", referred_by=anna)

    for customer in (anna, bram):
        page = owner_client.get(f"/customers/{customer.pk}/").content.decode()
        assert f'action="/customers/{customer.pk}/referrals/"' in page
        assert '<summary class="button">+ Iemand meegebracht</summary>' in page


def test_a_cycle_on_the_form_is_refused_with_a_message(owner_client, business):
    anna = CustomerFactory(business=business, name="Anna")
    bram = CustomerFactory(business=business, name="Bram", referred_by=anna)
    response = owner_client.post(
        f"/customers/{anna.pk}/edit/",
        {"name": "Anna", "acquisition_channel": "walk_in", "referred_by": bram.pk},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    anna.refresh_from_db()
    assert anna.referred_by is None


def test_profile_ambassadors_and_acquisition_pages(owner_client, business):
    anna = CustomerFactory(business=business, name="Anna de Vries")
    bram = CustomerFactory(
        business=business, name="Bram", referred_by=anna, acquisition_channel="referral"
    )
    PurchaseFactory(customer=bram, amount_cents=4200, at=timezone.now())
    profile = owner_client.get(f"/customers/{anna.pk}/").content.decode()
    assert "Bram" in profile
    assert "42,00" in profile
    ranking = owner_client.get("/ambassadors/").content.decode()
    assert "Anna de Vries" in ranking
    assert "42,00" in ranking
    report = owner_client.get("/reports/acquisition/")
    assert report.status_code == 200
    assert "<svg" in report.content.decode()


def test_survey_settings_are_for_owners(owner_client, staff_client):
    assert staff_client.get("/surveys/settings/").status_code == 403
    page = owner_client.get("/surveys/settings/")
    assert page.status_code == 200
    data = {
        "invitation_interval_days": "30",
        "invitation_valid_days": "7",
        "nps_nl": "Raadt u ons aan?",
    }
    assert owner_client.post("/surveys/settings/", data).status_code == 302


def test_the_owner_turns_on_the_invitation_after_a_purchase_and_a_wrong_value_changes_nothing(
    owner_client, business
):
    from klantvriend.core.models import AuditEvent
    from klantvriend.surveys.models import Survey

    page = owner_client.get("/surveys/settings/").content.decode()
    assert 'name="invite_after_purchase"' in page
    assert "Per e-mail uitnodigen na een aankoop (met toestemming)" in page
    base = {"invitation_interval_days": "30", "invitation_valid_days": "7"}

    refused = owner_client.post(
        "/surveys/settings/", {**base, "invitation_valid_days": "0", "invite_after_purchase": "on"}
    )

    assert refused.status_code == 200
    assert not Survey.objects.filter(business=business, invite_after_purchase=True).exists()
    assert (
        owner_client.post("/surveys/settings/", {**base, "invite_after_purchase": "on"}).status_code
        == 302
    )
    assert Survey.objects.get(business=business).invite_after_purchase
    event = AuditEvent.objects.filter(object_type="survey").latest("at")
    assert event.changes["invite_after_purchase"] == [False, True]


def test_the_question_texts_are_boxes_of_three_lines_that_show_them_whole(owner_client):
    """In a line of text the question was cut off: "Hoe waarschijnlijk is het dat u ons
    aanbevee…"."""
    page = owner_client.get("/surveys/settings/").content.decode()

    boxes = re.findall(
        r'<textarea name="(\w+)" cols="40" rows="3" lang="\w+" class="question-text"', page
    )
    assert boxes == [
        f"{key}_{language}"
        for key in (
            "nps",
            "certainty",
            "flexibility",
            "reliability",
            "customisation",
            "complaint_handling",
            "comment",
        )
        for language in ("nl", "en")
    ]
    assert (
        'id="id_nps_nl">\n'
        "Hoe waarschijnlijk is het dat u ons aanbeveelt bij vrienden, familie of collega&#39;s?"
        "</textarea>"
    ) in page
    assert '<input type="text" name="nps_nl"' not in page


def test_a_line_break_typed_into_a_question_is_saved_as_a_space(owner_client, business):
    data = {
        "invitation_interval_days": "30",
        "invitation_valid_days": "7",
        "nps_nl": "Hoe waarschijnlijk is het dat u ons aanbeveelt bij vrienden,\r\n"
        "familie of collega's?",
        "comment_nl": "Wat kunnen we\r\nbeter doen?",
    }

    assert owner_client.post("/surveys/settings/", data).status_code == 302

    survey = Survey.objects.get(business=business)
    # The standard question with a line break in it is the standard question: nothing stored.
    assert survey.questions == {"comment": {"nl": "Wat kunnen we beter doen?"}}


def test_an_expired_link_gets_a_friendly_page_and_stores_nothing(business, customer):
    from datetime import timedelta

    created = survey_invitation_create(
        business=business,
        customer=customer,
        channel="counter",
        now=timezone.now() - timedelta(days=20),
    )
    page = Client(headers={"Accept-Language": "nl"}).post(created.path, ANSWER)
    assert page.status_code == 410
    assert "Deze enquêtelink is verlopen" in page.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_the_email_choice_is_disabled_without_consent(owner_client, customer):
    profile = owner_client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'value="email" id="survey-invite-channel_1" disabled' in profile


@pytest.mark.parametrize(
    ("scores", "shown"),
    [
        # 3 promoters and 2 detractors of 8 answers: NPS 12.5.
        ([10, 10, 9, 7, 8, 7, 2, 5], "+13"),
        # 2 promoters and 3 detractors of 8 answers: NPS -12.5.
        ([10, 9, 7, 8, 7, 2, 5, 0], "−13"),
    ],
)
def test_a_half_point_nps_is_rounded_alike_on_every_page(owner_client, business, scores, shown):
    for score in scores:
        SurveyResponseFactory(customer=CustomerFactory(business=business), nps=score)

    results = owner_client.get("/surveys/", headers={"Accept-Language": "en"}).content.decode()
    scorecard = owner_client.get("/insights/scorecard/").content.decode()

    assert f'data-testid="nps-score">{shown}<' in results
    # The month in the table and the point of the chart; eight answers are too few to read as
    # the month's score (3 and 2 of 8 either way: variance 0.625 - 0.125^2 = 0.609375, margin
    # 1.959964 * 100 * sqrt(0.609375 / 8) = 54.09).
    assert re.search(
        rf'data-testid="month-nps">{re.escape(shown)}</a> <span class="nowrap" data-testid="month-margin">'
        r'± 54</span></td><td><a [^>]+ data-testid="month-answers">8</a><br>'
        r'<span class="hint" data-testid="month-too-few">te weinig antwoorden</span></td>',
        results,
    )
    assert f": NPS {shown} (8 antwoorden: te weinig)</title>" in results
    assert f'<span class="score-value">{shown}</span>' in scorecard


@pytest.mark.parametrize(("language", "shown"), [("en", "3.5 out of 5"), ("nl", "3,5 van de 5")])
def test_the_scorecard_says_on_what_scale_the_weakest_driver_scores(
    owner_client, owner, business, language, shown
):
    """The scorecard's drivers figure read a bare "3.6", beside percentages and an NPS from
    -100 to +100: nothing said that it is a score from 1 to 5."""
    # Thirty answers: a driver of fewer is not named (surveys.selectors.DRIVER_MIN_ANSWERS).
    for certainty in (3, 4) * 15:
        SurveyResponseFactory(
            customer=CustomerFactory(business=business),
            nps=8,
            certainty=certainty,
            flexibility=5,
            reliability=5,
            customisation=5,
        )
    account_language_set(user=owner, language=language)

    scorecard = owner_client.get("/insights/scorecard/").content.decode()

    assert f'<span class="score-value">{shown}</span>' in scorecard


def test_a_referrer_with_another_channel_is_refused_and_the_form_kept(owner_client, business):
    """The acquisition report counts channels: a referred customer saved as a walk-in (the
    channel's default, easily left as it is) would count as a walk-in there."""
    anna = CustomerFactory(business=business, name="Anna de Vries")

    response = owner_client.post(
        "/customers/new/",
        {"name": "Bram Bakker", "acquisition_channel": "walk_in", "referred_by": anna.pk},
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert (
        "Iemand heeft deze klant doorverwezen: kies “doorverwijzing”, "
        "of laat “Doorverwezen door” leeg."
    ) in page
    assert 'value="Bram Bakker"' in page
    assert f'name="referred_by" value="{anna.pk}"' in page
    assert not Customer.objects.filter(name="Bram Bakker").exists()


def test_the_score_opens_to_the_answers_it_is_made_of(owner_client, business, customer):
    """ "Answers: 4 · promoters: 3 …" could not be opened to see those answers."""
    long_ago = timezone.now() - timedelta(days=400)  # before the year the score covers
    SurveyResponseFactory(customer=customer, nps=0, answered_at=long_ago)
    for score in [10, 9, 9, 3]:
        SurveyResponseFactory(customer=customer, nps=score)

    results = owner_client.get("/surveys/").content.decode()
    link = re.search(r'href="([^"]+)" data-testid="nps-answers"', results)[1]
    answers = owner_client.get(link.replace("&amp;", "&"))

    assert "Antwoorden: 4 · promotors: 3 · passieven: 0 · criticasters: 1" in results
    assert [cells[1] for _id, _name, cells in answers.context["table"].rows] == [
        "3 (criticaster)",
        "9 (promotor)",
        "9 (promotor)",
        "10 (promotor)",
    ]
    assert answers.context["table"].total == 4
    # The score itself is added up above them: it said how the drivers average, not the score.
    assert answers.context["table"].summary.startswith(
        "3 promotors (9-10) en 1 criticasters (0-6) op 4 antwoorden: de score is het aandeel "
        "promotors min het aandeel criticasters, +50. Foutmarge van deze score (95%): ± 85 punten. Te weinig "
        "antwoorden om als de score van de zaak te lezen: minder dan 30. De score van elke factor"
    )  # variance 0.75 + 0.25 - 0.5^2 = 0.75, margin 1.959964 * 100 * sqrt(0.75 / 4) = 84.87
    assert re.search(r'data-testid="nps-score"[^>]*>\+50<', results)
    # Back to where it was opened, not to the scorecard.
    assert '<a href="/surveys/" data-testid="rows-back">← Enquêteresultaten</a>' in (
        answers.content.decode()
    )


@pytest.mark.parametrize(
    ("language", "reliability"),
    [
        ("nl", "betrouwbaarheid 3,7 over 3 antwoorden (promotors 4,5, criticasters 2,0)"),
        ("en", "reliability 3.7 over 3 answers (promoters 4.5, detractors 2.0)"),
    ],
)
def test_the_drivers_promoter_and_detractor_averages_open_to_the_answers_they_average(
    owner_client, owner, business, customer, language, reliability
):
    """ "Promoters score reliability 1.4 points higher. Start there." rests on these averages,
    which were plain numbers, and the answers only said each driver's overall average."""
    for score, driver in [(10, 5), (9, 4), (3, 2)]:
        SurveyResponseFactory(customer=customer, nps=score, reliability=driver)
    account_language_set(user=owner, language=language)

    results = owner_client.get("/surveys/").content.decode()
    row = results[results.index('data-testid="driver-reliability"') :]
    promoters = re.search(r'<a href="([^"]+)" data-testid="driver-promoters">([^<]+)</a>', row)
    detractors = re.search(r'<a href="([^"]+)" data-testid="driver-detractors">([^<]+)</a>', row)
    answers = owner_client.get(promoters[1].replace("&amp;", "&"))

    assert (promoters[2], detractors[2]) == {"nl": ("4,5", "2,0"), "en": ("4.5", "2.0")}[language]
    assert detractors[1] == promoters[1]
    assert answers.context["table"].total == 3
    assert f"{reliability};" in answers.context["table"].summary


def test_an_ambassadors_figures_open_to_the_customers_they_referred(owner_client, business):
    anna = CustomerFactory(business=business, name="Anna de Vries")
    for name, cents in [("Bram", 4200), ("Cor", 800)]:
        referred = CustomerFactory(business=business, name=name, referred_by=anna)
        PurchaseFactory(customer=referred, amount_cents=cents)

    ranking = owner_client.get("/ambassadors/").content.decode()
    profile = owner_client.get(f"/customers/{anna.pk}/")

    links = re.findall(rf'<a href="/customers/{anna.pk}/#referrals-heading">([^<]+)</a>', ranking)
    assert links == ["2", "€\u00a050,00"]
    referrals = profile.context["referrals"]
    assert ([c.name for c in referrals.customers], referrals.value_cents) == (["Cor", "Bram"], 5000)


def test_every_ambassador_is_on_a_page_the_promoters_after_the_referrers(
    owner_client, business, monkeypatch
):
    """The page stopped at the first fifty without a word: with more referrers, a referrer
    just recorded and every promoter the page said would follow were never seen."""
    monkeypatch.setattr("klantvriend.web.referral_views.AMBASSADORS_PER_PAGE", 2)
    for name, cents in [("Anna", 900), ("Bram", 500), ("Cor", 100)]:
        referrer = CustomerFactory(business=business, name=name)
        PurchaseFactory(customer=referrer)
        PurchaseFactory(
            customer=CustomerFactory(business=business, referred_by=referrer), amount_cents=cents
        )
    promoter = CustomerFactory(business=business, name="Pien")
    PurchaseFactory(customer=promoter)
    SurveyResponseFactory(customer=promoter, nps=10)
    # Anonymised: no one to thank, on no page and in no count
    gone = CustomerFactory(business=business, name="Wim", erased_at=timezone.now())
    PurchaseFactory(customer=CustomerFactory(business=business, referred_by=gone))

    def names(page):
        return re.findall(r'<td><a href="/customers/\d+/">([^<]+)</a>', page)

    insights_refresh(business=business)  # the stages the customer list filters on

    first = owner_client.get("/ambassadors/").content.decode()
    second = owner_client.get("/ambassadors/?page=2").content.decode()
    ambassadors = owner_client.get("/customers/?stage=ambassador")

    assert names(first) == ["Anna", "Bram"]
    assert names(second) == ["Cor", "Pien"]
    assert "Pagina 1 van 2" in first
    assert re.findall(r'<td class="hide-small">(\d+)</td>\s*<td><a', second) == ["3", "4"]
    # As many as the customer list of the stage it opens
    assert (
        '<p data-testid="ambassador-count"><a href="/customers/?stage=ambassador">'
        "4 ambassadeurs</a></p>"
    ) in first
    assert ambassadors.context["page"].paginator.count == 4


@pytest.mark.parametrize(
    ("language", "more"), [("nl", "Toon alle antwoorden"), ("en", "Show all answers")]
)
def test_an_ambassadors_promoter_answers_open_to_as_many_answers(
    owner_client, owner, business, language, more
):
    """The count of promoter answers was a plain number, and the profile showed only the
    latest five answers: six promoter answers could not be found there."""
    anna = CustomerFactory(business=business, name="Anna de Vries")
    CustomerFactory(business=business, referred_by=anna)
    now = timezone.now()
    scores = [10, 9, 3, 9, 10, 9, 10]  # six promoter answers, the detractor's the fifth latest
    for days_ago, score in enumerate(scores):
        SurveyResponseFactory(
            customer=anna, nps=score, answered_at=now - timedelta(days=100 * days_ago + 1)
        )
    account_language_set(user=owner, language=language)

    ranking = owner_client.get("/ambassadors/").content.decode()
    link = re.search(r'<a href="([^"]+)" data-testid="promoter-answers">([^<]+)</a>', ranking)
    first = owner_client.get(f"/customers/{anna.pk}/")
    opened = owner_client.get(link[1])

    assert link[1] == f"/customers/{anna.pk}/?answers=all#surveys-heading"
    assert link[2] == "6"
    assert [answer.nps for answer in opened.context["survey_responses"]] == scores
    assert sum(answer.nps >= 9 for answer in opened.context["survey_responses"]) == 6
    assert 'data-testid="survey-answers-all"' not in opened.content.decode()
    # At first the latest five, and the way to the others.
    assert [answer.nps for answer in first.context["survey_responses"]] == scores[:5]
    assert re.search(
        rf'<a href="\?answers=all#surveys-heading" data-testid="survey-answers-all">{more}</a>',
        first.content.decode(),
    )


def test_every_cell_of_the_acquisition_report_opens_to_as_many_customers(owner_client, business):
    """The monthly counts per channel and the referral share were plain numbers."""
    today = business.today()
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    referrer = CustomerFactory(business=business, customer_since=first - timedelta(days=800))
    for since, channel, referred_by in [
        (first, "walk_in", None),
        (today, "walk_in", None),
        (first, "walk_in", referrer),  # a referrer recorded: counted as a referral
        (today, "referral", None),
        (today, "online", None),
        (last_month_end, "online", None),  # the last day of the month before
        (last_month_end.replace(day=1), "advertisement", referrer),
        (first - timedelta(days=500), "walk_in", None),  # before the report's year
    ]:
        CustomerFactory(
            business=business,
            customer_since=since,
            acquisition_channel=channel,
            referred_by=referred_by,
        )

    html = owner_client.get("/reports/acquisition/").content.decode()

    links = re.findall(r'<a href="(/customers/\?[^"]+)" data-testid="([\w-]+)">([\d%]+)</a>', html)
    checked = {}
    for href, testid, text in links:
        listed = owner_client.get(href.replace("&amp;", "&"))
        count = listed.context["page"].paginator.count
        if testid == "referral-share":
            checked[href] = count
        else:
            assert count == int(text), (href, text)
            checked[testid, href.split("since_from=")[1][:7]] = count
    month, before = first.strftime("%Y-%m"), last_month_end.strftime("%Y-%m")
    assert {key: count for key, count in checked.items() if isinstance(key, tuple)} == {
        ("walk_in", month): 2,
        ("referral", month): 2,
        ("online", month): 1,
        ("total", month): 5,
        ("online", before): 1,
        ("referral", before): 1,
        ("total", before): 2,
    }
    # The share of a month opens to its referrals: 2 of the 5 (40%) and 1 of 2 (50%).
    assert sorted(count for key, count in checked.items() if isinstance(key, str)) == [1, 2]
    assert re.search(r'data-testid="referral-share">40%</a>', html)


def test_the_customer_list_filters_by_channel_and_the_days_customers_came(owner_client, business):
    day = business.today() - timedelta(days=40)
    anna = CustomerFactory(
        business=business, name="Anna", customer_since=day, acquisition_channel="online"
    )
    CustomerFactory(
        business=business, name="Bram", customer_since=day, acquisition_channel="walk_in"
    )
    CustomerFactory(
        business=business,
        name="Cor",
        customer_since=day - timedelta(days=1),
        acquisition_channel="online",
    )
    CustomerFactory(
        business=business,
        name="Dirk",
        customer_since=day,
        acquisition_channel="online",
        referred_by=anna,
    )

    listed = owner_client.get(
        f"/customers/?channel=online&since_from={day.isoformat()}&since_until={day.isoformat()}"
    )
    unfiltered_by_bad_days = owner_client.get("/customers/?since_from=31-12-2026&since_until=x")

    assert [customer.name for customer in listed.context["page"]] == ["Anna"]
    assert listed.context["page"].paginator.count == 1
    assert f'value="{day.isoformat()}"' in listed.content.decode()
    assert unfiltered_by_bad_days.context["page"].paginator.count == 4


@pytest.mark.parametrize(
    ("language", "title", "too_few", "summaries"),
    [
        (
            "nl",
            "Enquêteantwoorden van",
            "te weinig antwoorden",
            [
                "1 promotors (9-10) en 1 criticasters (0-6) op 2 antwoorden: de score is het "
                "aandeel promotors min het aandeel criticasters, 0. Te weinig antwoorden om als de "
                "score van de zaak te lezen: minder dan 30.",
                "2 promotors (9-10) en 0 criticasters (0-6) op 3 antwoorden: de score is het "
                "aandeel promotors min het aandeel criticasters, +67. Foutmarge van deze score (95%): ± 53 "
                "punten. Te weinig antwoorden om als de score van de zaak te lezen: minder dan 30.",
            ],
        ),
        (
            "en",
            "Survey answers of",
            "too few answers",
            [
                "1 promoters (9-10) and 1 detractors (0-6) among 2 answers: the score is the "
                "share of promoters minus the share of detractors, 0. Too few answers to read as "
                "the shop's score: fewer than 30.",
                "2 promoters (9-10) and 0 detractors (0-6) among 3 answers: the score is the "
                "share of promoters minus the share of detractors, +67. Margin of error of this score (95%): "
                "± 53 points. Too few answers to read as the shop's score: fewer than 30.",
            ],
        ),
    ],
)
def test_each_month_of_the_trend_opens_to_the_answers_it_is_made_of(
    owner_client, owner, business, language, title, too_few, summaries
):
    """The NPS and the answers of each month were plain numbers. The months are cut where the
    business is: half past midnight on the first is the new month's, though still the old one's
    in UTC."""
    this_month = business.local(timezone.now()).date().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)

    def at(day, hour, minute):
        return datetime.combine(day, time(hour, minute), tzinfo=business.tzinfo)

    months = {
        last_month: [(at(last_month, 12, 0), 10), (at(this_month - timedelta(days=1), 23, 30), 3)],
        this_month: [
            (at(this_month, 0, 30), 9),
            (at(this_month, 0, 40), 8),
            (at(this_month, 0, 50), 10),
        ],
    }
    for answers in months.values():
        for moment, score in answers:
            SurveyResponseFactory(
                customer=CustomerFactory(business=business, name=f"Klant {score}"),
                nps=score,
                answered_at=moment,
            )
    account_language_set(user=owner, language=language)

    results = owner_client.get("/surveys/").content.decode()
    links = re.findall(
        r'<a href="([^"]+)" data-testid="month-nps">([^<]+)</a>'
        r'(?: <span class="nowrap" data-testid="month-margin">([^<]+)</span>)?</td>'
        r'<td><a href="\1" data-testid="month-answers">([^<]+)</a><br>'
        r'<span class="hint" data-testid="month-too-few">([^<]+)</span>',
        results,
    )
    opened = [owner_client.get(link[0].replace("&amp;", "&")) for link in links]

    # Too few answers either month, each still opening to its answers. Last month's 1
    # promoter and 1 detractor: variance 1 - 0 = 1, margin 1.959964 * 100 * sqrt(1 / 2) =
    # 138.59, wider than half the scale and not written; this month's 2 promoters and a
    # passive: variance 2/3 - 4/9 = 2/9, margin 1.959964 * 100 * sqrt(2 / 27) = 53.34.
    assert [link[1:] for link in links] == [
        ("0", "", "2", too_few),
        ("+67", "± 53", "3", too_few),
    ]
    assert [page.context["table"].total for page in opened] == [2, 3]
    assert [[cells[1] for _id, _name, cells in page.context["table"].rows] for page in opened] == [
        ["3", "10"],
        ["10", "8", "9"],
    ]
    assert [page.context["table"].summary for page in opened] == summaries
    assert all(page.context["table"].title.startswith(title) for page in opened)
    # The month has no "90 days before" to switch to; back goes to the survey results.
    assert all('data-testid="rows-periods"' not in page.content.decode() for page in opened)
    assert all(
        'href="/surveys/" data-testid="rows-back"' in page.content.decode() for page in opened
    )


@pytest.mark.parametrize(
    ("language", "scores", "margin", "hint"),
    [
        # 20 promoters, 10 passives, 10 detractors: NPS 25; SE 100 * sqrt(0.6875 / 40) =
        # 13.1101, margin 1.959964 * 13.1101 = 25.70 (26); the interval 25 -/+ 25.70: -1 to 51,
        # written as every score with the typeset minus that pairs with "+" (nps_shown).
        (
            "nl",
            [10] * 20 + [8] * 10 + [3] * 10,
            "± 26",
            "De antwoorden zijn een steekproef uit je klanten: de echte score ligt tussen −1 en "
            "+51 (95% zeker). Meer antwoorden maken de marge kleiner.",
        ),
        (
            "en",
            [10] * 20 + [8] * 10 + [3] * 10,
            "± 26",
            "The answers are a sample of your customers: the real score lies between −1 and +51 "
            "(95% sure). More answers make the margin smaller.",
        ),
        # 6 promoters, 33 passives, 1 detractor: NPS 12.5, shown +13; SE 100 * sqrt(0.159375
        # / 40) = 6.3122, margin 12.37, shown ± 12. The interval is written from the figures
        # as shown, 13 -/+ 12: 1 to 25, not 0.13 to 24.87 rounded to 0 and 25, which did not
        # add up beside "+13 ± 12".
        (
            "nl",
            [10] * 6 + [8] * 33 + [3],
            "± 12",
            "De antwoorden zijn een steekproef uit je klanten: de echte score ligt tussen +1 en "
            "+25 (95% zeker). Meer antwoorden maken de marge kleiner.",
        ),
        (
            "en",
            [10] * 6 + [8] * 33 + [3],
            "± 12",
            "The answers are a sample of your customers: the real score lies between +1 and +25 "
            "(95% sure). More answers make the margin smaller.",
        ),
        # 6 promoters, 2 passives, 2 detractors: NPS 40, SE 25.2982, margin 49.58 (50).
        (
            "nl",
            [10, 9, 9, 10, 9, 9, 7, 8, 3, 6],
            "± 50",
            "Met zo weinig antwoorden (10) kan de echte score 50 punten hoger of lager liggen.",
        ),
        (
            "en",
            [10, 9, 9, 10, 9, 9, 7, 8, 3, 6],
            "± 50",
            "With so few answers (10) the real score may be 50 points higher or lower.",
        ),
        # Three detractors: a variance of 0 says nothing of how sure -100 is; no margin.
        (
            "nl",
            [3, 0, 6],
            None,
            "Met zo weinig antwoorden (3) zegt deze score nog weinig: vanaf 30 antwoorden zegt "
            "de pagina hoe zeker hij is.",
        ),
        (
            "en",
            [3, 0, 6],
            None,
            "With so few answers (3) this score says little yet: from 30 answers on the page "
            "says how sure it is.",
        ),
    ],
)
def test_the_score_says_how_sure_it_is(
    owner_client, owner, business, language, scores, margin, hint
):
    for score in scores:
        SurveyResponseFactory(customer=CustomerFactory(business=business), nps=score)
    account_language_set(user=owner, language=language)

    results = owner_client.get("/surveys/").content.decode()

    assert re.findall(r'data-testid="nps-margin">([^<]+)<', results) == ([margin] if margin else [])
    assert re.findall(r'data-testid="nps-interval">([^<]+)<', results) == [hint]


def test_the_results_page_writes_every_negative_score_with_the_typeset_minus(
    owner_client, business
):
    """ "tussen -6 en 30" and the chart's "-50" and "-100" had a hyphen beside "+12"."""
    for score in [10] * 20 + [8] * 10 + [3] * 10:
        SurveyResponseFactory(customer=CustomerFactory(business=business), nps=score)

    page = owner_client.get("/surveys/").content.decode()

    ticks = [part.split(">")[1].split("<")[0] for part in page.split('class="chart-tick"')[1:]]
    assert ticks[:5] == ["−100", "−50", "0", "+50", "+100"]
    assert re.findall(r"ligt tussen (\S+) en (\S+) ", page) == [("−1", "+51")]
    assert "van −100 tot +100" in page
    # No number after a hyphen in the text of the page (attributes such as a chart's
    # coordinates aside).
    assert re.findall(r">[^<]*?(?<![\w-])-\d[^<]*<", page) == []


def test_the_results_and_the_scorecard_name_one_driver_and_none_of_too_few_answers(
    owner_client, business
):
    """The results page said "Betrouwbaarheid ... Begin daar.", the scorecard "3,6 van de 5
    ... klachtafhandeling", a driver of 24 answers: one rule names the driver on both."""
    customer = CustomerFactory(business=business)
    reliability_separating_answers(customer, complaint_handling_low_in=24)

    results = owner_client.get("/surveys/").content.decode()
    scorecard = owner_client.get("/insights/scorecard/").content.decode()

    assert re.findall(r'data-testid="separating-driver"><strong>(\w+)</strong>', results) == [
        "Betrouwbaarheid"
    ]
    assert re.findall(r'<tr class="highlight-row" data-testid="driver-(\w+)"', results) == [
        "reliability"
    ]
    too_few = re.findall(r'data-testid="driver-(\w+)">(?:(?!</tr>).)*driver-too-few', results, re.S)
    assert too_few == ["complaint_handling"]
    assert (
        "betrouwbaarheid maakt het grootste verschil tussen criticasters en promotors; antwoorden"
        " van de laatste 12 maanden; te weinig antwoorden om klachtafhandeling te beoordelen"
    ) in scorecard
    assert "Tevredenheidsfactor om mee te beginnen" in scorecard


def test_with_too_few_answers_per_driver_no_driver_is_named_to_start_with(owner_client, business):
    for nps in (10, 9, 2, 3):
        SurveyResponseFactory(customer=CustomerFactory(business=business), nps=nps)

    results = owner_client.get("/surveys/").content.decode()

    assert re.findall(r'data-testid="separating-driver">([^<]+)</p>', results) == [
        "Te weinig antwoorden om te zeggen met welke factor je begint: elke factor heeft er 30"
        " nodig in de laatste 12 maanden."
    ]
    assert "highlight-row" not in results
    assert results.count('data-testid="driver-too-few"') == 5


def test_the_profile_shows_the_drivers_an_answer_scored_low(owner_client, owner, customer):
    SurveyResponseFactory(customer=customer, nps=3, certainty=2, reliability=1, flexibility=3)
    SurveyResponseFactory(customer=customer, nps=9, certainty=4, reliability=5)

    page = owner_client.get(f"/customers/{customer.pk}/").content.decode()
    account_language_set(user=owner, language="en")
    english = owner_client.get(f"/customers/{customer.pk}/").content.decode()

    low = r'data-testid="survey-low-drivers">([^<]+)</span>'
    assert re.findall(low, page) == ["laag: zekerheid 2, betrouwbaarheid 1"]
    assert re.findall(low, english) == ["low: certainty 2, reliability 1"]


def test_a_trend_of_months_all_too_few_says_to_read_the_year_instead(owner_client, business):
    """A shop of 150 customers never reaches 30 answers in a month: every month was an open
    circle without a word why the line was never drawn."""
    moment = timezone.now() - timedelta(minutes=5)  # one month, whatever the day
    customer = CustomerFactory(business=business)
    for score in (10, 9, 3, 8):
        SurveyResponseFactory(
            customer=customer,
            nps=score,
            answered_at=moment,
        )

    few = owner_client.get("/surveys/").content.decode()
    for _number in range(30):
        SurveyResponseFactory(
            customer=customer,
            nps=9,
            answered_at=moment,
        )
    enough = owner_client.get("/surveys/").content.decode()

    assert re.findall(r'<p class="notice" data-testid="trend-all-too-few">([^<]+)</p>', few) == [
        "Nog geen maand heeft 30 antwoorden, dus geen maandcijfer is op zichzelf te lezen: lees "
        "het cijfer van de twaalf maanden hierboven, en vergelijk maanden zodra ze vollopen."
    ]
    assert 'data-testid="trend-all-too-few"' not in enough
