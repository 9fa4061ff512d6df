"""The promises' lateness said as a shopkeeper says it ("half of them on time or at most 30 min
late, 9 in 10 at most 1 hour 30 min late"), not as statistics ("the middle one", "the one at
90%"); lengths of time in words; and moments kept on one line on pages only: the exports and the
digest's plain text keep their ordinary spaces."""

import io
import re
import zipfile
from datetime import UTC, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from klantvriend.core.accounts import account_language_set
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.export import business_export
from klantvriend.promises.selectors import Figures
from klantvriend.promises.tests.factories import PromiseFactory
from klantvriend.web.templatetags.care import lateness_at_most, lateness_summary

NBSP = "\u00a0"


def _figures(median, p90) -> Figures:
    return Figures(
        judged=11, kept_on_time=7, kept_late=3, median_lateness_hours=median, p90_lateness_hours=p90
    )


@pytest.mark.parametrize(
    ("median", "p90", "nl", "en"),
    [
        # Most kept on time: the median and the 90th percentile are nought.
        (
            0.0,
            0.0,
            "Van de nagekomen beloften waren er minstens 9 van de 10 op tijd.",
            "Of the promises kept, at least 9 in 10 were on time.",
        ),
        # A median of nought is "on time", not "0 min late".
        (
            0.0,
            4.7,
            "Van de nagekomen beloften was minstens de helft op tijd, en waren 9 van de 10 "
            "hooguit 4~uur~42~min te laat.",
            "Of the promises kept, at least half were on time, and 9 in 10 at most "
            "4~hours~42~min late.",
        ),
        # A median under an hour.
        (
            0.5,
            2.0,
            "Van de nagekomen beloften was de helft op tijd of hooguit 30~min te laat, en waren "
            "9 van de 10 hooguit 2~uur te laat.",
            "Of the promises kept, half were on time or at most 30~min late, and 9 in 10 at "
            "most 2~hours late.",
        ),
        # Over a day: to the hour (50.5 hours rounds up to 2 days 3 hours).
        (
            26.0,
            50.5,
            "Van de nagekomen beloften was de helft op tijd of hooguit 1~dag~2~uur te laat, en "
            "waren 9 van de 10 hooguit 2~dagen~3~uur te laat.",
            "Of the promises kept, half were on time or at most 1~day~2~hours late, and 9 in 10 "
            "at most 2~days~3~hours late.",
        ),
        # Judged, but none kept (all broken): nothing to say about lateness.
        (None, None, "", ""),
    ],
)
def test_the_lateness_of_the_promises_kept_is_said_in_plain_words(median, p90, nl, en):
    # "~" marks a no-break space: a length of time stays on one line, the sentence breaks.
    for language, expected in (("nl", nl), ("en", en)):
        with translation.override(language):
            assert lateness_summary(_figures(median, p90)) == expected.replace("~", NBSP), language


def test_promises_all_kept_on_time_are_said_to_be_all_not_nine_in_ten():
    """ "At least 9 in 10 were on time" of the two kept read as if there had been ten."""
    two = Figures(judged=2, kept_on_time=2, median_lateness_hours=0.0, p90_lateness_hours=0.0)

    with translation.override("nl"):
        assert lateness_summary(two) == "De 2 nagekomen beloften waren allemaal op tijd."
    with translation.override("en"):
        assert lateness_summary(two) == "The 2 promises kept were all on time."


def test_of_fewer_than_ten_kept_the_latest_is_said_of_all_not_nine_in_ten():
    """ "9 in 10 at most 10 hours 24 min late" of three stood beside the reliability page's
    "the 3 promises kept"."""
    three = Figures(
        judged=3, kept_on_time=1, kept_late=2, median_lateness_hours=0.5, p90_lateness_hours=2.0
    )

    with translation.override("en"):
        assert lateness_summary(three) == (
            f"Of the promises kept, half were on time or at most 30{NBSP}min late, and all at "
            f"most 2{NBSP}hours late."
        )
    with translation.override("nl"):
        assert lateness_summary(three) == (
            f"Van de nagekomen beloften was de helft op tijd of hooguit 30{NBSP}min te laat, en "
            f"waren ze allemaal hooguit 2{NBSP}uur te laat."
        )


@pytest.mark.parametrize(
    ("hours", "nl", "en"),
    [
        (None, "—", "—"),
        (0.0, "op tijd", "on time"),
        (0.1, "hooguit 6~min te laat", "at most 6~min late"),
        (30.0, "hooguit 1~dag~6~uur te laat", "at most 1~day~6~hours late"),
    ],
)
def test_a_lateness_figure_is_said_as_what_it_bounds(hours, nl, en):
    for language, expected in (("nl", nl), ("en", en)):
        with translation.override(language):
            assert lateness_at_most(hours) == expected.replace("~", NBSP), language


def _kept_late_and_broken(business, owner):
    """Four promises judged: one kept early, two kept 30 and 90 minutes late, one broken (left
    open two days past its moment)."""
    customer = CustomerFactory(business=business, name="Anna de Vries")
    now = timezone.now().replace(microsecond=0)
    for days_ago, late in (
        (3, timedelta(hours=-1)),
        (4, timedelta(minutes=30)),
        (5, timedelta(minutes=90)),
        (6, None),
    ):
        due = now - timedelta(days=days_ago)
        PromiseFactory(
            customer=customer,
            made_by=owner,
            made_at=due - timedelta(days=1),
            due_at=due,
            done_at=None if late is None else due + late,
        )


def _text(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</(?:p|a)>', html, re.S)
    assert found, testid
    return re.sub(r"[ \n]+", " ", re.sub(r"<[^>]+>", "", found[1])).strip()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "nl",
            "4 beloften beoordeeld: 1 op tijd, 2 te laat, 1 gebroken. Op tijd nagekomen: 25%. "
            f"Van de nagekomen beloften was de helft op tijd of hooguit 30{NBSP}min te laat, en "
            f"waren ze allemaal hooguit 1{NBSP}uur{NBSP}30{NBSP}min te laat. Niet beoordeeld: 0 "
            "op tijd geannuleerd, 0 nog open.",
        ),
        (
            "en",
            "4 promises judged: 1 on time, 2 late, 1 broken. Kept on time: 25%. Of the promises "
            f"kept, half were on time or at most 30{NBSP}min late, and all at most "
            f"1{NBSP}hour{NBSP}30{NBSP}min late. Not judged: 0 cancelled in time, 0 still open.",
        ),
    ],
)
def test_the_promise_list_says_how_late_the_promises_were_kept_in_plain_words(
    owner_client, owner, business, language, expected
):
    _kept_late_and_broken(business, owner)
    account_language_set(user=owner, language=language)

    html = owner_client.get(reverse("web:promise_list")).content.decode()

    assert _text(html, "promise-tally") == expected


def test_of_few_promises_kept_the_page_says_the_latest_as_what_it_is(owner_client, business):
    """Of one promise kept, "usually: half of the promises kept" and "nearly always: 9 in 10"
    stood beside "50% kept on time (1 of 2)": a garage read them as at odds."""
    customer = CustomerFactory(business=business)
    now = timezone.now().replace(microsecond=0)
    for days_ago, done in ((3, True), (6, False)):
        due = now - timedelta(days=days_ago)
        PromiseFactory(
            customer=customer,
            made_at=due - timedelta(days=1),
            due_at=due,
            done_at=due - timedelta(hours=1) if done else None,
        )

    html = owner_client.get(reverse("web:promise_reliability")).content.decode()

    assert 'data-testid="reliability-median"' not in html
    assert re.search(
        r'data-testid="reliability-p90"><span class="stat-value stat-words">op tijd</span>'
        r'<span class="stat-label">de 1 nagekomen belofte</span>',
        html,
    )


@pytest.mark.parametrize(
    ("language", "median", "p90"),
    [
        (
            "nl",
            ("hooguit 30~min te laat", "meestal: de helft van de nagekomen beloften"),
            ("hooguit 1~uur~30~min te laat", "de 3 nagekomen beloften"),
        ),
        (
            "en",
            ("at most 30~min late", "usually: half of the promises kept"),
            ("at most 1~hour~30~min late", "the 3 promises kept"),
        ),
    ],
)
def test_the_reliability_page_says_the_same_figures_in_the_same_words(
    owner_client, owner, business, language, median, p90
):
    _kept_late_and_broken(business, owner)
    account_language_set(user=owner, language=language)

    html = owner_client.get(reverse("web:promise_reliability")).content.decode()

    def tile(testid):
        return re.search(
            rf'data-testid="{testid}"><span class="stat-value stat-words">([^<]+)</span>'
            r'<span class="stat-label">([^<]+)</span>',
            html,
        ).groups()

    assert tile("reliability-median") == (median[0].replace("~", NBSP), median[1])
    assert tile("reliability-p90") == (p90[0].replace("~", NBSP), p90[1])
    # The table per member says them alike (the promises are all the owner's), under headings
    # without "median" or "percentile".
    member = re.search(r'data-testid="reliability-by-member">(.*?)</table>', html, re.S)[1]
    assert re.findall(r'data-testid="(median|p90)">([^<]+)</a>', member) == [
        ("median", median[0].replace("~", NBSP)),
        ("p90", p90[0].replace("~", NBSP)),
    ]
    headings = {"nl": ["meestal", "bijna altijd"], "en": ["usually", "nearly always"]}[language]
    assert re.findall(r'<th class="hide-small">([^<]+)</th>', member) == headings
    words = re.sub(r"<[^>]+>", " ", html).lower()
    assert not {"median", "mediaan", "percentile", "percentiel"} & set(words.split())


def test_a_lateness_under_an_hour_is_said_to_the_minute(owner_client, owner, api, business):
    """Promises kept 20 minutes late were said "at most 18 min late" (the hours rounded to a
    tenth, six minutes, before the page said them in minutes): less than the lateness it bounds.
    The API keeps its figures in hours to 0.1."""
    customer = CustomerFactory(business=business)
    now = timezone.now().replace(microsecond=0)
    for days_ago in (3, 4, 5):  # three: of fewer, "usually" is not said
        due = now - timedelta(days=days_ago)
        PromiseFactory(
            customer=customer,
            made_by=owner,
            made_at=due - timedelta(days=1),
            due_at=due,
            done_at=due + timedelta(minutes=20),
        )
    account_language_set(user=owner, language="nl")

    html = owner_client.get(reverse("web:promise_reliability")).content.decode()
    figures = api.get("/api/v1/promises/reliability").json()

    tiles = re.findall(r'data-testid="reliability-(median|p90)"><span[^>]*>([^<]+)<', html)
    assert tiles == [
        ("median", f"hooguit 20{NBSP}min te laat"),
        ("p90", f"hooguit 20{NBSP}min te laat"),
    ]
    assert (figures["median_lateness_hours"], figures["p90_lateness_hours"]) == (0.3, 0.3)


def test_a_moment_is_on_one_line_on_the_page_and_with_ordinary_spaces_in_the_exports(
    owner_client, owner, business
):
    """The promise list writes its due moment with no-break spaces (a phone keeps "zo 29 nov"
    and "17:00" together); the export and the morning e-mail write the same promise as before."""
    owner.email = "sanne@example.nl"
    owner.save()
    now = timezone.now()
    # Due yesterday at 17:00 in Amsterdam: overdue, so that the digest lists it with its moment.
    due = (
        (now - timedelta(days=1))
        .astimezone(business.tzinfo)
        .replace(hour=17, minute=0, second=0, microsecond=0)
    )
    PromiseFactory(
        customer=CustomerFactory(business=business, name="Anna de Vries"),
        description="Rollade klaarzetten",
        made_by=owner,
        made_at=due - timedelta(days=2),
        due_at=due,
    )
    with translation.override("nl"):
        short = date_format(due, "SHORT_DATETIME_FORMAT")
        weekday = date_format(due, "WEEKDAY_DATETIME_FORMAT")  # "zo 29 nov 17:00"

    page = owner_client.get(reverse("web:promise_list")).content.decode()
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)
    with zipfile.ZipFile(buffer) as archive:
        promises_csv = archive.read("promises.csv").decode("utf-8-sig")
    call_command("digest", "--business", business.slug, stdout=StringIO())

    # On the page: one line ("30 nov 2026 17:00" with no-break spaces), in both places it shows.
    assert page.count(short.replace(" ", NBSP)) == 2
    assert short not in page
    # In the export: the moment in ISO 8601 and no no-break space anywhere.
    header, row = promises_csv.splitlines()[:2]
    assert dict(zip(header.split(";"), row.split(";"), strict=True))["due_at"] == (
        due.astimezone(UTC).isoformat()
    )
    assert NBSP not in promises_csv
    # In the digest's plain text: ordinary spaces.
    (message,) = mail.outbox
    assert f"- Anna de Vries: Rollade klaarzetten (uiterlijk {weekday})" in message.body
    assert NBSP not in message.body
