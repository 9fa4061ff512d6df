from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from klantvriend.aftercare.models import FollowUp, Reason
from klantvriend.complaints.models import Complaint
from klantvriend.complaints.services import complaint_create, complaint_resolve
from klantvriend.core.errors import ValidationError
from klantvriend.core.services import business_update
from klantvriend.core.tests.days import open_on
from klantvriend.customers.models import ContactKind, ContactMoment, LegalBasis
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.models import PromiseKind
from klantvriend.promises.services import promise_create, promise_mark_kept
from klantvriend.surveys import selectors, services
from klantvriend.surveys.models import (
    InvitationChannel,
    InvitationTrigger,
    SurveyInvitation,
    SurveyResponse,
)
from klantvriend.surveys.tests.factories import SurveyResponseFactory

GOOD = {
    "nps": "9",
    "certainty": "4",
    "flexibility": "5",
    "reliability": "5",
    "customisation": "4",
    "complaint_handling": "",
    "comment": "Prima geholpen",
}


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, name="Anna de Vries", email="anna@example.nl")


@pytest.fixture
def consenting(business):
    return CustomerFactory(
        business=business, name="Bram Bakker", email="bram@example.nl", emailable=True
    )


def _invite(business, customer, channel=InvitationChannel.COUNTER, **kwargs):
    return services.survey_invitation_create(
        business=business, customer=customer, channel=channel, **kwargs
    )


def test_an_invitation_stores_only_a_hash_of_its_secret(business, customer, owner):
    created = _invite(business, customer, actor=owner)

    invitation = SurveyInvitation.objects.get()
    assert invitation.token_hash == services.hash_key(created.key)
    assert created.key not in invitation.token_hash
    assert len(created.key) >= 40
    assert created.url.endswith(f"/s/{created.key}/")
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    assert services.invitation_for_key(key=created.key) == invitation


def test_email_needs_consent_and_an_address_and_without_it_nothing_is_stored(business, customer):
    with pytest.raises(ValidationError) as refused:
        _invite(business, customer, channel=InvitationChannel.EMAIL)
    assert refused.value.error_dict["channel"][0].code == "no_consent"
    no_email = CustomerFactory(
        business=business, marketing_consent=True, marketing_consent_basis=LegalBasis.CONSENT
    )
    with pytest.raises(ValidationError) as refused:
        _invite(business, no_email, channel=InvitationChannel.EMAIL)
    assert refused.value.error_dict["channel"][0].code == "no_email"
    assert SurveyInvitation.objects.count() == 0
    assert mail.outbox == []


def test_email_with_consent_is_sent_after_commit_in_dutch_and_english(
    business, consenting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = _invite(business, consenting, channel=InvitationChannel.EMAIL)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bram@example.nl"]
    assert created.url in message.body
    assert message.subject == "Hoe hebben we het gedaan? Een korte vraag van Slagerij Test"
    assert "Beste Bram Bakker" in message.body
    assert "Thank you for choosing Slagerij Test" in message.body
    assert "afmelden" in message.body.lower() or "stop" in message.body.lower()
    assert SurveyInvitation.objects.get().sent_at is not None


def test_the_email_comes_from_the_shops_name_and_replies_go_to_the_shops_own_address(
    business, consenting, settings, django_capture_on_commit_callbacks
):
    """It came from "klantvriend@localhost" with no name, and a customer's "call me" reached
    the server's sending address, which no one in the shop reads."""
    settings.DEFAULT_FROM_EMAIL = "Klantvriend <noreply@klantvriend.example>"
    business.contact_email = "henk@slagerij-test.nl"
    business.save(update_fields=["contact_email"])

    with django_capture_on_commit_callbacks(execute=True):
        _invite(business, consenting, channel=InvitationChannel.EMAIL)

    [message] = mail.outbox
    assert message.from_email == "Slagerij Test <noreply@klantvriend.example>"
    assert message.reply_to == ["henk@slagerij-test.nl"]


def test_without_an_address_of_its_own_the_shops_email_has_no_reply_to(
    business, consenting, django_capture_on_commit_callbacks
):
    business.name = 'Slagerij Henk, "de" Worst'
    business.save(update_fields=["name"])

    with django_capture_on_commit_callbacks(execute=True):
        _invite(business, consenting, channel=InvitationChannel.EMAIL)

    [message] = mail.outbox
    assert message.reply_to == []
    assert "Reply-To" not in message.message()
    # Quoted: the comma and the quotes would otherwise split the name into addresses.
    assert message.message()["From"] == '"Slagerij Henk, \\"de\\" Worst" <klantvriend@localhost>'


def test_the_email_of_a_shop_named_on_two_lines_names_it_on_one(
    business, consenting, owner, django_capture_on_commit_callbacks
):
    """The settings' name field keeps a line break pasted into it; the From was written on one
    line, but the subject was refused, and the invitation was neither sent nor withdrawn."""
    business_update(
        business=business,
        actor=owner,
        name="Slagerij\nTest",
        time_zone=business.time_zone,
        language=business.language,
    )

    with django_capture_on_commit_callbacks(execute=True):
        _invite(business, consenting, channel=InvitationChannel.EMAIL)

    [message] = mail.outbox
    assert message.subject == "Hoe hebben we het gedaan? Een korte vraag van Slagerij Test"
    assert message.message()["From"] == "Slagerij Test <klantvriend@localhost>"
    assert SurveyInvitation.objects.get().sent_at is not None


@pytest.mark.parametrize(
    ("trigger", "dutch", "english"),
    [
        (
            # Not "voor uw bezoek": an accountant's clients, invited after an invoice, never
            # came in.
            InvitationTrigger.MANUAL,
            "Dank u wel dat u voor Slagerij Test koos.",
            "Thank you for choosing Slagerij Test.",
        ),
        (
            InvitationTrigger.DELIVERY,
            "Dank u wel voor uw bestelling bij Slagerij Test.",
            "Thank you for your order from Slagerij Test.",
        ),
        (
            InvitationTrigger.COMPLAINT,
            "Onlangs liet u Slagerij Test weten dat er iets niet goed was.",
            "Recently you told Slagerij Test that something was not right.",
        ),
    ],
)
def test_the_emails_opening_line_follows_its_occasion(
    business, consenting, django_capture_on_commit_callbacks, trigger, dutch, english
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(business, consenting, channel=InvitationChannel.EMAIL, trigger=trigger)

    body = mail.outbox[0].body
    assert dutch in body
    assert english in body


def test_the_email_says_until_which_day_the_link_is_valid_in_the_shops_time_zone(
    business, consenting, django_capture_on_commit_callbacks
):
    """Outside a page of the shop (the API, an invitation after a kept delivery) the server's
    zone was active, and a link sent in the evening on Curaçao said it was valid a day longer."""
    business.time_zone = "America/Curacao"  # UTC-4 all year
    business.save(update_fields=["time_zone"])
    evening = datetime(2026, 12, 2, 0, 30, tzinfo=UTC)  # 1 December, 20:30 on Curaçao

    with django_capture_on_commit_callbacks(execute=True):
        _invite(business, consenting, channel=InvitationChannel.EMAIL, now=evening)

    body = mail.outbox[0].body
    # Fourteen days on: 15 December, 20:30 there (16 December, 1:30 in Amsterdam).
    assert "geldig tot 15 december 2026" in body
    assert "valid until 15 December 2026" in body


def test_one_invitation_per_customer_per_period(business, customer):
    now = timezone.now()
    _invite(business, customer, now=now - timedelta(days=89))

    with pytest.raises(ValidationError) as refused:
        _invite(business, customer, now=now)
    assert refused.value.error_dict["customer"][0].code == "too_soon"
    assert SurveyInvitation.objects.count() == 1

    _invite(business, customer, now=now + timedelta(days=2))
    assert SurveyInvitation.objects.count() == 2


@pytest.mark.parametrize(("language", "day"), [("en", "1 Apr 2026"), ("nl", "1 apr 2026")])
def test_too_soon_names_the_next_day_in_the_readers_language(business, customer, language, day):
    first = datetime(2026, 1, 1, 11, tzinfo=UTC)  # 12:00 in Amsterdam; 90 days later: 1 April
    _invite(business, customer, now=first)

    with translation.override(language), pytest.raises(ValidationError) as refused:
        _invite(business, customer, now=first + timedelta(days=30))

    assert refused.value.error_dict["customer"][0].messages == [
        {
            "en": f"This customer was invited recently; the next invitation is possible from {day}.",
            "nl": f"Deze klant is onlangs uitgenodigd; een volgende uitnodiging kan vanaf {day}.",
        }[language]
    ]
    assert SurveyInvitation.objects.count() == 1


def test_a_customer_of_another_business_or_anonymised_is_not_invited(
    business, other_business, customer
):
    with pytest.raises(ValidationError) as refused:
        _invite(other_business, customer)
    assert refused.value.error_dict["customer"][0].code == "not_found"
    erased = CustomerFactory(business=business, erased_at=timezone.now())
    with pytest.raises(ValidationError):
        _invite(business, erased)
    assert SurveyInvitation.objects.count() == 0


def test_an_answer_is_stored_once_and_the_link_is_then_used(business, customer):
    created = _invite(business, customer)

    response = services.survey_answer(key=created.key, answers=GOOD, language="en")

    assert (response.nps, response.certainty, response.complaint_handling) == (9, 4, None)
    assert response.language == "en"
    assert response.comment == "Prima geholpen"
    assert response.follow_up is None
    assert response.complaint is None
    with pytest.raises(ValidationError) as refused:
        services.survey_answer(key=created.key, answers={**GOOD, "nps": "2"})
    assert refused.value.error_dict["key"][0].code == "answered"
    assert SurveyResponse.objects.get().nps == 9


SPOILED = "Eigenlijk was het slecht: de worst was bedorven."


def test_new_words_in_a_second_answer_become_a_note_and_a_follow_up_but_not_its_scores(
    business, customer, owner
):
    """A tab left open: the customer answered 7 in one and wrote of spoiled meat in the other.
    Their words reach the owner; the first answer stands."""
    created = _invite(business, customer)
    first = services.survey_answer(key=created.key, answers={**GOOD, "nps": "7"})

    later = services.survey_answer(
        key=created.key, answers={**GOOD, "nps": "1", "reliability": "1", "comment": SPOILED}
    )

    assert later == services.LateComment(response=first, kept_as="follow_up")
    stored = SurveyResponse.objects.get()
    assert (stored.nps, stored.reliability, stored.comment) == (7, 5, "Prima geholpen")
    text = f"Aanvulling op het enquête-antwoord (score 7): {SPOILED}"
    note = ContactMoment.objects.get()
    assert (note.customer, note.kind, note.summary) == (customer, ContactKind.NOTE, text)
    follow_up = FollowUp.objects.get()
    assert (follow_up.customer, follow_up.reason, follow_up.assigned_to) == (
        customer,
        Reason.SURVEY,
        owner,
    )
    assert (follow_up.note, follow_up.due_on) == (text, open_on(business.today()))
    assert stored.follow_up is None
    assert Complaint.objects.count() == 0


def test_a_link_keeps_a_few_afterthoughts_and_not_a_stream_of_them(business, customer):
    """The link is public: whoever holds it cannot fill the owner's queue without end."""
    created = _invite(business, customer)
    services.survey_answer(key=created.key, answers={**GOOD, "nps": "7"})
    kept = [
        services.survey_answer(key=created.key, answers={"nps": "", "comment": text}).kept_as
        for text in ("Nog iets: de saus.", "Boos: te laat.", "En de rollade.")
    ]
    before = (ContactMoment.objects.count(), FollowUp.objects.count(), Complaint.objects.count())

    with pytest.raises(ValidationError) as refused:
        services.survey_answer(key=created.key, answers={"nps": "", "comment": "Nog een."})

    assert kept == ["follow_up", "complaint", "follow_up"]
    assert before == (2, 2, 1)
    assert refused.value.error_dict["key"][0].code == "answered"
    assert (
        ContactMoment.objects.count(),
        FollowUp.objects.count(),
        Complaint.objects.count(),
    ) == before


def test_a_second_answer_that_complains_in_words_becomes_a_complaint(business, customer):
    created = _invite(business, customer)
    services.survey_answer(key=created.key, answers={**GOOD, "reliability": "2"})

    later = services.survey_answer(
        key=created.key, answers={"nps": "", "comment": "Nooit meer: de worst was bedorven."}
    )

    assert later.kept_as == "complaint"
    complaint = Complaint.objects.get()
    assert complaint.customer == customer
    assert complaint.description == (
        "Aanvulling op het enquête-antwoord (score 9): Nooit meer: de worst was bedorven."
    )
    assert complaint.driver == "reliability"
    assert (FollowUp.objects.count(), ContactMoment.objects.count()) == (0, 0)
    assert SurveyResponse.objects.get().nps == 9


def test_the_same_words_sent_again_are_kept_once(business, customer):
    created = _invite(business, customer)
    services.survey_answer(key=created.key, answers=GOOD)

    for _attempt in range(2):
        later = services.survey_answer(key=created.key, answers={**GOOD, "comment": SPOILED})

    assert later.kept_as == "follow_up"
    assert (ContactMoment.objects.count(), FollowUp.objects.count()) == (1, 1)


@pytest.mark.parametrize(
    ("comment", "code"),
    [("", "answered"), ("  Prima geholpen ", "answered"), ("x" * 2001, "max_length")],
)
def test_a_second_answer_without_new_words_is_refused_and_changes_nothing(
    business, customer, comment, code
):
    created = _invite(business, customer)
    services.survey_answer(key=created.key, answers=GOOD)

    with pytest.raises(ValidationError) as refused:
        services.survey_answer(key=created.key, answers={**GOOD, "nps": "0", "comment": comment})

    assert [error.code for errors in refused.value.error_dict.values() for error in errors] == [
        code
    ]
    assert SurveyResponse.objects.get().nps == 9
    assert (ContactMoment.objects.count(), FollowUp.objects.count()) == (0, 0)
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("nps", "11", "range"),
        ("nps", "-1", "range"),
        ("nps", "", "required"),
        ("nps", "zeven", "invalid"),
        ("certainty", "0", "range"),
        ("reliability", "6", "range"),
        ("comment", "x" * 2001, "max_length"),
    ],
)
def test_scores_out_of_range_are_refused_and_nothing_is_stored(
    business, customer, field, value, code
):
    created = _invite(business, customer)

    with pytest.raises(ValidationError) as refused:
        services.survey_answer(key=created.key, answers={**GOOD, field: value})

    assert refused.value.error_dict[field][0].code == code
    assert SurveyResponse.objects.count() == 0
    assert SurveyInvitation.objects.get().answered_at is None


def test_a_tampered_or_expired_link_is_refused_and_nothing_is_stored(business, customer):
    created = _invite(business, customer, now=timezone.now() - timedelta(days=15))
    tampered = created.key[:-1] + ("A" if created.key[-1] != "A" else "B")

    for key, code in ((tampered, "invalid"), ("", "invalid"), (created.key, "expired")):
        with pytest.raises(ValidationError) as refused:
            services.survey_answer(key=key, answers=GOOD)
        assert refused.value.error_dict["key"][0].code == code
    assert SurveyResponse.objects.count() == 0


def test_a_detractor_gets_a_follow_up_for_the_owner_today(business, customer, owner):
    created = _invite(business, customer)

    with translation.override("en"):
        response = services.survey_answer(
            key=created.key, answers={**GOOD, "nps": "4", "comment": "Lang moeten wachten"}
        )

    follow_up = FollowUp.objects.get()
    assert response.follow_up == follow_up
    assert follow_up.reason == Reason.SURVEY
    assert follow_up.customer == customer
    assert follow_up.assigned_to == owner
    assert follow_up.due_on == open_on(business.today())
    assert follow_up.note == "Gaf een 4 van 10 in de enquête: Lang moeten wachten"
    assert Complaint.objects.count() == 0


def test_a_detractor_with_a_check_after_a_complaint_planned_is_called_once_today(
    business, customer, owner, owner_client
):
    """A restaurant's guest gave a 6 after a cold steak: the owner was to call today about the
    score, and again in a week about the steak. The check after the complaint is that call,
    brought forward to today, and it says the score."""
    from django.urls import reverse

    from klantvriend.aftercare.tests.factories import FollowUpFactory

    complaint = complaint_create(customer=customer, description="Biefstuk was koud")
    check = FollowUpFactory(
        customer=customer,
        reason=Reason.COMPLAINT,
        complaint=complaint,
        note="Is de klant weer tevreden na de klacht?",
        due_on=business.today() + timedelta(days=7),
    )
    created = _invite(business, customer)

    response = services.survey_answer(key=created.key, answers={**GOOD, "nps": "6"})

    assert list(FollowUp.objects.values_list("pk", "reason", "due_on")) == [
        (check.pk, Reason.COMPLAINT, open_on(business.today()))
    ]
    assert response.follow_up_id == check.pk
    today = owner_client.get(reverse("web:today")).content.decode()
    card = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()
    said = (
        '<span class="subtle" data-testid="follow-up-survey-score">· gaf een 6 van 10 in de '
        "enquête: “Prima geholpen”</span>"
    )
    assert said in card
    if open_on(business.today()) == business.today():
        assert said in today


def test_a_detractor_with_a_call_after_the_job_planned_is_called_once_today_about_both(
    business, customer, owner, owner_client
):
    """A garage's customer gave a 5 after his clutch was done: the owner was to call on Monday
    about the score, and on Monday about the clutch. The call after the job is that call,
    brought forward to today, with the score and the comment; one further off stays."""
    from django.urls import reverse

    from klantvriend.aftercare.tests.factories import FollowUpFactory

    job = FollowUpFactory(
        customer=customer,
        reason=Reason.PURCHASE,
        note="Was alles naar wens: Koppeling vervangen?",
        due_on=business.today() + timedelta(days=3),
    )
    created = _invite(business, customer)

    response = services.survey_answer(
        key=created.key, answers={**GOOD, "nps": "5", "comment": "De koppeling slipt nog"}
    )

    assert list(FollowUp.objects.values_list("pk", "reason", "due_on")) == [
        (job.pk, Reason.PURCHASE, open_on(business.today()))
    ]
    assert response.follow_up_id == job.pk
    card = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()
    assert (
        '<span class="subtle" data-testid="follow-up-survey-score">· gaf een 5 van 10 in de '
        "enquête: “De koppeling slipt nog”</span>"
    ) in card
    # The aftercare list says why the call came forward too.
    listed = owner_client.get(reverse("web:aftercare_list")).content.decode()
    assert "enquête: “De koppeling slipt nog”</span>" in listed
    # "Tevreden" is not the button to lead with after a 5; before the score it was.
    assert 'class="button button-small" type="submit" name="outcome" value="content"' in card
    FollowUpFactory(customer=CustomerFactory(business=business), due_on=business.today())
    other = owner_client.get(reverse("web:today")).content.decode()
    assert (
        'class="button button-primary button-small" type="submit" name="outcome" value="content"'
        in (other)
    )


def test_a_call_after_a_job_more_than_a_week_off_is_not_the_survey_answers_call(business, customer):
    from klantvriend.aftercare.tests.factories import FollowUpFactory

    later = FollowUpFactory(
        customer=customer, reason=Reason.PURCHASE, due_on=business.today() + timedelta(days=30)
    )
    created = _invite(business, customer)

    services.survey_answer(key=created.key, answers={**GOOD, "nps": "5"})

    assert FollowUp.objects.get(pk=later.pk).due_on == later.due_on
    assert FollowUp.objects.exclude(pk=later.pk).get().reason == Reason.SURVEY


def test_a_detractors_long_comment_is_cut_in_the_follow_up_with_a_mark_that_it_goes_on(
    business, customer
):
    """The note holds 300 characters: it ended in the middle of a word, as if the customer had
    said no more."""
    created = _invite(business, customer)
    comment = "Lang moeten wachten " * 99

    services.survey_answer(key=created.key, answers={**GOOD, "nps": "4", "comment": comment})

    note = FollowUp.objects.get().note
    assert note == "Gaf een 4 van 10 in de enquête: " + comment[:267] + "…"
    assert len(note) == 300


def test_the_follow_up_of_a_detractor_names_the_drivers_scored_low(business, customer):
    """The owner calling back saw "Gave 3 out of 10", not that the customer gave reliability a 1
    and certainty a 2: the scores were only in the big table of answers."""
    created = _invite(business, customer)

    with translation.override("en"):
        services.survey_answer(
            key=created.key,
            answers={**GOOD, "nps": "3", "certainty": "2", "reliability": "1", "comment": ""},
        )

    assert FollowUp.objects.get().note == (
        "Gaf een 3 van 10 in de enquête (laag: zekerheid 2, betrouwbaarheid 1): geen opmerking"
    )


def test_a_detractor_answering_on_sunday_gets_a_follow_up_on_monday(business, customer):
    """As every follow-up a rule plans: the shop is closed on Sunday (the default working days),
    and a call planned for a Sunday showed as late on Monday morning."""
    saturday = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    created = _invite(business, customer, now=saturday)

    services.survey_answer(
        key=created.key,
        answers={**GOOD, "nps": "5", "comment": "Lang moeten wachten"},
        now=saturday + timedelta(days=1),
    )

    assert FollowUp.objects.get().due_on == date(2026, 11, 30)


def test_a_detractor_who_complains_in_words_opens_a_complaint(business, customer):
    created = _invite(business, customer)

    response = services.survey_answer(
        key=created.key,
        answers={**GOOD, "nps": "2", "reliability": "1", "comment": "Ik ben erg TELEURGESTELD"},
    )

    complaint = Complaint.objects.get()
    assert response.complaint == complaint
    assert complaint.driver == "reliability"
    assert complaint.description == (
        "In de enquête (score 2; laag: betrouwbaarheid 1): Ik ben erg TELEURGESTELD"
    )
    assert FollowUp.objects.count() == 0


def test_what_a_detractor_opens_is_written_in_the_shops_language_whatever_the_customers(
    business, customer
):
    """The customer answered on an English phone; the staff who handle the complaint or the
    follow-up read the shop's language, as for every other record."""
    complaining, disappointed = (
        _invite(business, customer),
        _invite(business, CustomerFactory(business=business)),
    )

    with translation.override("en"):
        services.survey_answer(
            key=complaining.key, answers={**GOOD, "nps": "2", "comment": "I want a refund"}
        )
        services.survey_answer(
            key=disappointed.key, answers={**GOOD, "nps": "5", "comment": "Slow"}
        )

    assert Complaint.objects.get().description == "In de enquête (score 2): I want a refund"
    assert FollowUp.objects.get().note == "Gaf een 5 van 10 in de enquête: Slow"


def test_complaint_words_are_matched_at_word_starts_without_accents():
    assert services.comment_is_complaint("Wéér een klacht over de bezorging")
    assert services.comment_is_complaint("I want a refund")
    assert not services.comment_is_complaint("Alles prima, geen opmerkingen")
    assert not services.comment_is_complaint("brood")  # "rude" inside a word does not count


def test_a_kept_delivery_and_a_resolved_complaint_invite_by_email_only_with_consent(
    business, consenting, customer, owner, django_capture_on_commit_callbacks
):
    now = timezone.now()
    for person in (consenting, customer):
        promise = promise_create(
            customer=person,
            description="Koud buffet bezorgen",
            kind=PromiseKind.DELIVERY,
            due_at=now + timedelta(hours=2),
            made_by=owner,
        )
        with django_capture_on_commit_callbacks(execute=True):
            promise_mark_kept(promise=promise, actor=owner)

    invitation = SurveyInvitation.objects.get()
    assert invitation.customer == consenting
    assert invitation.trigger == InvitationTrigger.DELIVERY
    assert len(mail.outbox) == 1

    # The complaint resolved the same week: the period rule keeps it one invitation.
    complaint = complaint_create(customer=consenting, description="Te laat")
    with django_capture_on_commit_callbacks(execute=True):
        complaint_resolve(complaint=complaint, actor=owner, resolution="Excuses en korting")
    assert SurveyInvitation.objects.count() == 1


def test_a_purchase_invites_by_email_once_the_owner_turns_it_on(
    business, consenting, customer, owner, django_capture_on_commit_callbacks
):
    """A restaurant had no delivery to invite after, and was told by the scorecard to "send the
    survey after a purchase" by hand. Off until the owner turns it on; then by e-mail to a
    customer who may be e-mailed, once in the interval, and not for a visit typed in days
    later."""
    from klantvriend.customers.services import purchase_create

    def buys(person, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            purchase_create(customer=person, amount_cents=18650, **fields)

    buys(consenting)
    assert not SurveyInvitation.objects.exists()

    services.survey_update(business=business, actor=owner, invite_after_purchase=True)
    buys(consenting, at=timezone.now() - timedelta(days=3))
    buys(customer)  # no consent to e-mail
    assert not SurveyInvitation.objects.exists()
    buys(consenting)
    buys(consenting)  # the same evening again: within the interval

    invitation = SurveyInvitation.objects.get()
    assert (invitation.customer, invitation.trigger, invitation.channel) == (
        consenting,
        InvitationTrigger.PURCHASE,
        InvitationChannel.EMAIL,
    )
    [message] = mail.outbox
    assert message.to == ["bram@example.nl"]
    assert "Dank u wel dat u voor Slagerij Test koos." in message.body


def test_nps_with_confidence_interval(business, customer):
    # 6 promoters, 2 passives, 2 detractors: NPS 40; variance 0.8 - 0.16 = 0.64; SE = 0.253.
    for score in [10, 9, 9, 10, 9, 9, 7, 8, 3, 6]:
        SurveyResponseFactory(customer=customer, nps=score, comment="")

    summary = selectors.nps_summary(business=business)

    assert (summary.answers, summary.promoters, summary.passives, summary.detractors) == (
        10,
        6,
        2,
        2,
    )
    assert summary.score == pytest.approx(40.0)
    assert summary.standard_error == pytest.approx(100 * (0.64 / 10) ** 0.5)
    low, high = summary.interval
    assert low == pytest.approx(40 - 1.959964 * 25.298221, abs=1e-3)
    assert high == pytest.approx(40 + 1.959964 * 25.298221, abs=1e-3)


def test_the_margin_of_error_is_half_the_interval_in_whole_points(business, customer):
    # 20 promoters, 10 passives, 10 detractors of 40: NPS 100 * (0.5 - 0.25) = 25; variance of
    # the +1/0/-1 score 0.5 + 0.25 - 0.25^2 = 0.6875; SE = 100 * sqrt(0.6875 / 40) = 13.1101;
    # margin 1.959964 * 13.1101 = 25.6953, shown as 26; the interval 25 -/+ 25.6953.
    for score in [10] * 12 + [9] * 8 + [8] * 6 + [7] * 4 + [6, 5, 4, 3, 2, 1, 0, 0, 3, 6]:
        SurveyResponseFactory(customer=customer, nps=score, comment="")

    summary = selectors.nps_summary(business=business)

    assert (summary.answers, summary.promoters, summary.detractors) == (40, 20, 10)
    assert summary.margin == pytest.approx(25.695345, abs=1e-6)
    assert (summary.rounded_margin, summary.margin_shown) == (26, 26)
    assert summary.too_few_answers is False
    assert summary.interval == pytest.approx((-0.695345, 50.695345), abs=1e-6)


@pytest.mark.parametrize(
    ("counts", "margin", "shown", "too_few"),
    [
        # 6 promoters, 2 passives, 2 detractors (the interval's test): SE 25.2982, margin
        # 1.959964 * 25.2982 = 49.5836; ten answers are too few, but the margin says so.
        ((10, 6, 2, 2), 49.583603, 50, True),
        # Three like answers have a variance of 0: a margin of 0 that would call the score
        # certain; too few, it is not shown.
        ((3, 0, 0, 3), 0.0, None, True),
        # Thirty like answers: the margin of 0 stands (the normal approximation is fair there).
        ((30, 30, 0, 0), 0.0, 0, False),
        # 29 answers are still too few, 30 no longer (NPS_MIN_ANSWERS): 15 promoters, 8
        # passives, 6 detractors: p 0.5172, d 0.2069, variance 0.7241 - 0.0963 = 0.6278, SE
        # 100 * sqrt(0.6278 / 29) = 14.7136, margin 28.8382.
        ((29, 15, 8, 6), 28.838194, 29, True),
        # One promoter and one detractor: variance 1, margin 1.959964 * 100 * sqrt(1 / 2) =
        # 138.59, wider than half the scale: "0 ± 139" would read as a fault, not shown.
        ((2, 1, 0, 1), 138.590382, None, True),
        # A promoter, a passive and a detractor: variance 2/3, margin 1.959964 * 100 *
        # sqrt(2 / 9) = 92.39, still shown.
        ((3, 1, 1, 1), 92.393588, 92, True),
        # One answer has no standard error, and no margin.
        ((1, 0, 0, 1), None, None, True),
        ((0, 0, 0, 0), None, None, False),
    ],
)
def test_a_margin_is_shown_unless_too_few_answers_make_it_zero_or_half_the_scale(
    counts, margin, shown, too_few
):
    answers, promoters, passives, detractors = counts
    summary = selectors.NpsSummary(answers, promoters, passives, detractors)

    assert summary.margin == (None if margin is None else pytest.approx(margin, abs=1e-6))
    assert summary.margin_shown == shown
    assert summary.too_few_answers is too_few


def test_the_margin_of_a_change_adds_the_two_periods_variances():
    # 20 promoters, 10 passives, 10 detractors (NPS 25, SE 13.1101) against 16, 14, 10 (NPS
    # 15, p 0.4, d 0.25: variance 0.65 - 0.0225 = 0.6275, SE 100 * sqrt(0.6275 / 40) =
    # 12.5250): the difference's SE is sqrt(13.1101^2 + 12.5250^2) = 18.1315, its margin
    # 1.959964 * 18.1315 = 35.5370.
    now = selectors.NpsSummary(40, 20, 10, 10)
    before = selectors.NpsSummary(40, 16, 14, 10)

    assert now.difference_margin(before) == pytest.approx(35.537017, abs=1e-6)
    assert before.difference_margin(now) == pytest.approx(35.537017, abs=1e-6)
    # Against one answer, whose standard error is not known, nor is the margin.
    assert now.difference_margin(selectors.NpsSummary(1, 1, 0, 0)) is None


def test_no_interval_below_two_answers_and_clipped_to_the_scale(business, customer):
    assert selectors.nps_summary(business=business).score is None
    SurveyResponseFactory(customer=customer, nps=10)
    assert selectors.nps_summary(business=business).interval is None
    SurveyResponseFactory(customer=customer, nps=10)
    assert selectors.nps_summary(business=business).interval == (100.0, 100.0)


def test_the_driver_that_separates_detractors_from_promoters(business, customer):
    for _copy in range(10):
        SurveyResponseFactory(customer=customer, nps=10, reliability=5, flexibility=4)
        SurveyResponseFactory(customer=customer, nps=9, reliability=5, flexibility=4)
        SurveyResponseFactory(customer=customer, nps=2, reliability=1, flexibility=3)

    drivers = {d.name: d for d in selectors.driver_results(business=business)}
    separating = selectors.most_separating_driver(list(drivers.values()))

    assert drivers["reliability"].average == pytest.approx(11 / 3)
    assert drivers["reliability"].gap == pytest.approx(4.0)
    assert drivers["flexibility"].gap == pytest.approx(1.0)
    assert separating.name == "reliability"


def test_a_driver_of_too_few_answers_is_not_named_to_start_with(business, customer):
    """Complaint handling, scored by 24 answers, read lowest after two more and was named the
    weakest on the scorecard while the survey results named reliability."""
    for index in range(30):
        SurveyResponseFactory(
            customer=customer,
            nps=10 if index % 3 else 2,
            reliability=5 if index % 3 else 2,
            flexibility=5,
            certainty=5,
            customisation=5,
            complaint_handling=(1 if index % 3 else 3) if index < 24 else None,
        )

    advice = selectors.driver_advice(selectors.driver_results(business=business))

    assert advice.separating.name == "reliability"
    assert [driver.name for driver in advice.lowest] == ["reliability"]
    assert [(driver.name, driver.answers) for driver in advice.too_few] == [
        ("complaint_handling", 24)
    ]
    assert advice.start_with == [advice.separating]


def test_trend_has_one_entry_per_month(business, customer):
    now = timezone.now()
    SurveyResponseFactory(customer=customer, nps=10, answered_at=now)
    SurveyResponseFactory(customer=customer, nps=0, answered_at=now - timedelta(days=70))

    trend = selectors.nps_trend(business=business, now=now)

    assert len(trend) == 12
    assert trend[-1].month == business.local(now).date().replace(day=1)
    assert trend[-1].summary.score == 100
    assert sum(m.summary.answers for m in trend) == 2


def test_promoters_are_customers_whose_latest_answer_is_9_or_10(business, customer):
    now = timezone.now()
    became_unhappy = CustomerFactory(business=business)
    SurveyResponseFactory(customer=customer, nps=9, answered_at=now - timedelta(days=3))
    SurveyResponseFactory(customer=became_unhappy, nps=10, answered_at=now - timedelta(days=40))
    SurveyResponseFactory(customer=became_unhappy, nps=5, answered_at=now - timedelta(days=2))

    assert selectors.promoter_customer_ids(business=business) == {customer.pk}


def test_results_page_selector_costs_a_fixed_number_of_queries(
    business, customer, django_assert_max_num_queries
):
    for score in range(11):
        SurveyResponseFactory(customer=CustomerFactory(business=business), nps=score)
    with django_assert_max_num_queries(5):
        results = selectors.survey_results(business=business)
    assert results.summary.answers == 11
    assert len(results.comments) == 11


def test_question_texts_are_editable_per_language_and_validated(business, owner):
    survey = services.survey_update(
        business=business,
        actor=owner,
        questions={"nps": {"nl": "Zou u ons aanraden?", "en": ""}},
        invitation_interval_days=30,
    )
    assert survey.question("nps", "nl") == "Zou u ons aanraden?"
    assert survey.question("nps", "en").startswith("How likely")
    assert survey.invitation_interval_days == 30
    with pytest.raises(ValidationError):
        services.survey_update(business=business, actor=owner, invitation_valid_days=0)
    with pytest.raises(ValidationError):
        services.survey_update(business=business, actor=owner, questions={"nps": {"nl": "x" * 301}})
    assert selectors.survey_get(business=business).invitation_valid_days == 14


@pytest.mark.parametrize(
    ("language", "reader", "subject", "complaint", "note"),
    [
        (
            "en",
            "nl",
            "How did we do? A short question from Slagerij Test",
            "In the survey (score 2): I want a refund",
            "Gave 5 out of 10 in the survey: no comment",
        ),
        (
            "nl",
            "en",
            "Hoe hebben we het gedaan? Een korte vraag van Slagerij Test",
            "In de enquête (score 2): I want a refund",
            "Gaf een 5 van 10 in de enquête: geen opmerking",
        ),
    ],
)
def test_the_invitation_and_what_a_detractor_opens_are_in_the_language_of_the_business(
    business,
    customer,
    consenting,
    django_capture_on_commit_callbacks,
    language,
    reader,
    subject,
    complaint,
    note,
):
    business.language = language
    business.save(update_fields=["language"])

    with translation.override(reader):
        with django_capture_on_commit_callbacks(execute=True):
            _invite(business, consenting, channel=InvitationChannel.EMAIL)
        complaining = _invite(business, customer)
        disappointed = _invite(business, CustomerFactory(business=business))
        services.survey_answer(
            key=complaining.key, answers={**GOOD, "nps": "2", "comment": "I want a refund"}
        )
        services.survey_answer(key=disappointed.key, answers={**GOOD, "nps": "5", "comment": ""})

    assert [message.subject for message in mail.outbox] == [subject]
    assert Complaint.objects.get().description == complaint
    assert FollowUp.objects.get().note == note
