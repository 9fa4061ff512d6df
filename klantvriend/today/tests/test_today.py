from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.accounts import account_language_set, account_morning_email_set
from klantvriend.core.services import business_update, membership_create, user_create
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.models import due_moment_for_day
from klantvriend.promises.tests.factories import PromiseFactory
from klantvriend.today.digest import digest_send
from klantvriend.today.ics import calendar_text
from klantvriend.today.selectors import CalendarItem, today_list


def test_the_today_list_gathers_every_kind_of_work(business, other_business):
    now = timezone.now()
    customer = CustomerFactory(business=business, name="Anna")
    # Due yesterday: overdue from an earlier day, whatever the hour the suite runs.
    overdue = PromiseFactory(
        customer=customer, made_at=now - timedelta(days=2), due_at=now - timedelta(days=1)
    )
    complaint = ComplaintFactory(customer=customer)
    follow_up = FollowUpFactory(customer=customer, due_on=business.today())
    PromiseFactory(
        customer=CustomerFactory(business=other_business),
        made_at=now - timedelta(days=2),
        due_at=now - timedelta(days=1),
    )

    today = today_list(business=business, now=now)

    assert [view.promise for view in today.overdue.items] == [overdue]
    assert [view.complaint for view in today.complaints.items] == [complaint]
    assert today.follow_ups.items == [follow_up]
    assert (today.overdue.total, today.complaints.total, today.follow_ups.total) == (1, 1, 1)
    assert today.count == 3


def _two_owners_a_staff_member_and_an_overdue_promise(business, owner) -> None:
    """Owners Sanne and Piet and staff member Kees, all with an e-mail address; one promise of
    Anna de Vries's overdue since yesterday."""
    owner.email = "sanne@example.nl"
    owner.save()
    second_owner = user_create(username="piet", password="pw-piet-123", email="piet@example.nl")
    membership_create(business=business, user=second_owner, role="owner")
    staff = user_create(username="kees", password="pw-kees-123", email="kees@example.nl")
    membership_create(business=business, user=staff, role="staff")
    now = timezone.now()
    PromiseFactory(
        customer=CustomerFactory(business=business, name="Anna de Vries"),
        description="Rollade klaarzetten",
        made_at=now - timedelta(days=2),
        due_at=now - timedelta(days=1),
    )


@pytest.mark.parametrize(
    ("language", "subject", "heading"),
    [
        ("en", "Today at Slagerij Test: 1 thing to do", "Overdue promises from earlier days"),
        (
            "nl",
            "Vandaag bij Slagerij Test: 1 ding te doen",
            "Achterstallige beloften van eerdere dagen",
        ),
    ],
)
def test_the_digest_mails_each_owner_with_an_address_in_the_language_of_the_business(
    business, owner, language, subject, heading
):
    business.language = language
    business.save(update_fields=["language"])
    _two_owners_a_staff_member_and_an_overdue_promise(business, owner)

    # Sent from a server (or a terminal) in the other language.
    with translation.override("nl" if language == "en" else "en"):
        call_command("digest", "--business", business.slug, stdout=StringIO())

    assert sorted(message.to[0] for message in mail.outbox) == [
        "piet@example.nl",
        "sanne@example.nl",
    ]
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == subject
    assert f"\n{heading}\n- Anna de Vries: Rollade klaarzetten (" in body


@pytest.mark.parametrize(
    ("language", "complaint", "timed", "all_day"),
    [
        ("nl", "uiterlijk za 5 dec ", "(uiterlijk di 1 dec 17:00)", "(uiterlijk do 3 dec)"),
        ("en", "due Sat 5 Dec ", "(due Tue 1 Dec 17:00)", "(due Thu 3 Dec)"),
    ],
)
def test_the_digest_writes_its_days_as_the_pages_do(
    business, owner, language, complaint, timed, all_day
):
    """Dutch month names in lower case ("7 dec", not "7 Dec"), and a promise for a day without
    the 23:59 it is stored with."""
    business.language = language
    business.save(update_fields=["language"])
    owner.email = "sanne@example.nl"
    owner.save()
    zone = business.tzinfo
    now = datetime(2026, 12, 5, 7, 0, tzinfo=zone)
    anna = CustomerFactory(business=business, name="Anna de Vries")
    # Answered by the care settings' response time: later on the same Saturday.
    ComplaintFactory(customer=anna, description="Taai vlees", received_at=now - timedelta(hours=1))
    made = datetime(2026, 11, 20, 9, 0, tzinfo=zone)
    PromiseFactory(
        customer=anna,
        description="Rollade",
        made_at=made,
        due_at=datetime(2026, 12, 1, 17, 0, tzinfo=zone),
    )
    PromiseFactory(
        customer=anna,
        description="Kerstpakket",
        made_at=made,
        due_at=due_moment_for_day(business=business, day=date(2026, 12, 3)),
        due_all_day=True,
    )

    digest_send(businesses=[business], now=now)

    body = mail.outbox[0].body
    assert f"- Anna de Vries: Taai vlees — {complaint}" in body
    assert f"- Anna de Vries: Rollade {timed}\n" in body
    assert f"- Anna de Vries: Kerstpakket {all_day}\n" in body


def test_the_digest_of_a_business_named_on_two_lines_is_sent_with_its_name_on_one(business, owner):
    """The settings' name field keeps a line break pasted into it; a subject cannot hold one,
    and the digest stopped at that business, unsent."""
    business_update(
        business=business,
        actor=owner,
        name="Slagerij\r\nTest",
        time_zone=business.time_zone,
        language="en",
    )
    _two_owners_a_staff_member_and_an_overdue_promise(business, owner)

    call_command("digest", "--business", business.slug, stdout=StringIO())

    assert [message.subject for message in mail.outbox] == [
        "Today at Slagerij Test: 1 thing to do"
    ] * 2


def test_the_digest_goes_to_each_owner_in_the_language_they_read(business, owner):
    """The morning e-mail is one person's, like their screens: an owner who chose English reads
    it in English in a Dutch business; the texts it quotes stay as the shop wrote them."""
    _two_owners_a_staff_member_and_an_overdue_promise(business, owner)
    account_language_set(user=owner, language="en")

    call_command("digest", "--business", business.slug, stdout=StringIO())

    sent = {message.to[0]: message for message in mail.outbox}
    assert sorted(sent) == ["piet@example.nl", "sanne@example.nl"]
    assert sent["sanne@example.nl"].subject == "Today at Slagerij Test: 1 thing to do"
    assert "\nOverdue promises from earlier days\n- Anna de Vries: Rollade klaarzetten (due " in (
        sent["sanne@example.nl"].body
    )
    assert sent["piet@example.nl"].subject == "Vandaag bij Slagerij Test: 1 ding te doen"
    assert (
        "\nAchterstallige beloften van eerdere dagen\n- Anna de Vries: Rollade klaarzetten ("
        in (sent["piet@example.nl"].body)
    )


@pytest.mark.parametrize(
    ("language", "footer"),
    [
        (
            "en",
            "Open Today: https://klanten.example/\n\n-- \nYou get this email each morning as an"
            " owner of Slagerij Test. Rather not? Turn it off under “Your account”:"
            " https://klanten.example/account/\nKlantvriend\n\n",
        ),
        (
            "nl",
            "Open Vandaag: https://klanten.example/\n\n-- \nJe krijgt deze e-mail elke ochtend"
            " als eigenaar van Slagerij Test. Liever niet? Zet hem uit onder “Je account”:"
            " https://klanten.example/account/\nKlantvriend\n\n",
        ),
    ],
)
def test_the_digest_links_to_today_and_goes_only_to_owners_who_keep_it_on(
    business, owner, language, footer
):
    """The morning email gave no way to the list it summed up, and no way to stop it but to
    remove one's email address."""
    business.language = language
    business.save(update_fields=["language"])
    _two_owners_a_staff_member_and_an_overdue_promise(business, owner)
    account_morning_email_set(membership=owner.memberships.get(business=business), on=False)

    out = StringIO()
    call_command("digest", "--business", business.slug, stdout=out)

    assert [message.to for message in mail.outbox] == [["piet@example.nl"]]
    assert mail.outbox[0].body.endswith(footer)


def test_ics_escapes_text_and_folds_long_lines():
    text = calendar_text(
        name="Klantvriend",
        items=[
            CalendarItem(
                uid="promise-1@shop.klantvriend",
                summary="Anna, de Vries: taart; " + "lang " * 30,
                description="bezorging",
                start=date(2026, 3, 10),
                all_day=True,
            ),
            CalendarItem(
                uid="promise-2@shop.klantvriend",
                summary="Bellen",
                description="",
                start=datetime(2026, 3, 10, 14, 30, tzinfo=timezone.get_fixed_timezone(60)),
                all_day=False,
            ),
        ],
        stamp=datetime(2026, 3, 1, 8, 0, tzinfo=timezone.get_fixed_timezone(0)),
    )

    lines = text.split("\r\n")
    assert "DTSTART;VALUE=DATE:20260310" in lines
    assert "DTEND;VALUE=DATE:20260311" in lines
    assert "DTSTART:20260310T133000Z" in lines
    assert lines[0] == "BEGIN:VCALENDAR"
    assert all(len(line.encode()) <= 75 for line in lines)
    summary = next(index for index, line in enumerate(lines) if line.startswith("SUMMARY:Anna"))
    assert lines[summary].startswith("SUMMARY:Anna\\, de Vries: taart\\; lang")
    assert lines[summary + 1].startswith(" ")


def test_ics_writes_an_event_on_the_last_day_of_the_calendar_without_its_day_after():
    # A follow-up stored on 9999-12-31 before such a day was refused broke the whole feed: its
    # all-day event ended the next day, past the last day Python holds. Without DTEND, an
    # event on a date lasts that day (RFC 5545, 3.6.1).
    item = CalendarItem(
        uid="follow-up-1@shop.klantvriend",
        summary="Bellen",
        description="",
        start=date.max,
        all_day=True,
    )

    lines = calendar_text(name="x", items=[item], stamp=datetime(2026, 3, 1, tzinfo=UTC)).split(
        "\r\n"
    )

    assert "DTSTART;VALUE=DATE:99991231" in lines
    assert not any(line.startswith("DTEND") for line in lines)


def test_ics_text_keeps_every_line_break_and_no_control_character_of_its_own():
    item = CalendarItem(
        uid="follow-up-1@shop.klantvriend",
        summary="a\rb\nc\r\nd\x0be\x85f\u2028g\x07h\x1bi\tj",
        description="",
        start=date(2026, 3, 10),
        all_day=True,
    )

    text = calendar_text(name="x", items=[item], stamp=datetime(2026, 3, 1, tzinfo=UTC))

    assert "SUMMARY:a\\nb\\nc\\nd\\ne\\nf\\nghi\tj" in text.split("\r\n")
    assert len(text.splitlines()) == len(text.split("\r\n")) - 1


@pytest.mark.parametrize(
    ("language", "output"),
    [
        (
            "en",
            "Sent 1 digest; 0 owners without an email address."
            " 1 business with nothing to do today, so no email.\n",
        ),
        (
            "nl",
            "1 overzicht verstuurd; 0 eigenaren zonder e-mailadres."
            " 1 zaak zonder iets te doen vandaag, dus geen e-mail.\n",
        ),
    ],
)
def test_the_digest_is_not_sent_on_a_day_with_nothing_to_do(
    business, owner, other_business, other_owner, language, output
):
    """A morning email that says "nothing today" teaches its reader to stop opening it; the
    command says why none went."""
    owner.email = "sanne@example.nl"
    owner.save()
    other_owner.email = "piet@example.nl"
    other_owner.save()
    now = timezone.now()
    PromiseFactory(
        customer=CustomerFactory(business=other_business, name="Anna de Vries"),
        made_at=now - timedelta(days=2),
        due_at=now - timedelta(hours=3),
    )
    out = StringIO()

    with translation.override(language):
        call_command("digest", stdout=out)

    assert [message.to for message in mail.outbox] == [["piet@example.nl"]]
    assert out.getvalue() == output


def test_the_digest_is_written_in_the_site_language_dutch(business, owner):
    owner.email = "sanne@example.nl"
    owner.save()
    FollowUpFactory(customer=CustomerFactory(business=business), due_on=business.today())

    call_command("digest", stdout=StringIO())

    assert mail.outbox[0].subject == "Vandaag bij Slagerij Test: 1 ding te doen"
    assert "\nNazorg\n- " in mail.outbox[0].body


def test_the_today_list_of_another_moment_is_that_days_list_throughout(business):
    """The morning e-mail and a test ask about a given moment: every list is of that day, not
    some of the clock's day."""
    then = datetime(2026, 3, 2, 9, 0, tzinfo=business.tzinfo)
    customer = CustomerFactory(
        business=business,
        name="Jarige Job",
        marketing_consent=True,
        birthday=date(1980, 3, 2),
        customer_since=date(2020, 1, 1),
    )
    FollowUpFactory(customer=customer, due_on=date(2026, 3, 2), note="Smaakte de taart?")
    FollowUpFactory(customer=customer, due_on=date(2026, 3, 3), note="Nog niet aan de beurt")

    today = today_list(business=business, now=then)

    assert today.day == date(2026, 3, 2)
    assert [f.note for f in today.follow_ups.items] == ["Smaakte de taart?"]
    assert [(o.customer.name, o.years) for o in today.occasions.items] == [("Jarige Job", 46)]
