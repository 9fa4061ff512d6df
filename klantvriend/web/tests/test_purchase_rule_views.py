"""The settings page's rules for a kind of purchase, and Today's follow-ups they plan."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from klantvriend.aftercare.models import FollowUp, Reason
from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.core.care_settings import PurchaseRule, care_settings, care_settings_update
from klantvriend.core.models import Business
from klantvriend.core.shown import moment_shown
from klantvriend.core.tests.days import open_on
from klantvriend.customers.services import purchase_create
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.web.care_forms import CareSettingsForm

HTMX = {"HX-Request": "true"}
COLOUR = PurchaseRule(words=("kleur", "balayage"), days=3, ask="Vragen hoe de kleur houdt")
TYRES = PurchaseRule(words=("banden",), days=7, ask="Bandenspanning nakijken")


def _posted(business, rows: list[dict], initial_rows: int) -> dict:
    """The settings form as the page sends it: the targets as they are, and these rows."""
    data = {
        name: value
        for name, value in CareSettingsForm.initial_from(care_settings(business)).items()
        if value is not None
    }
    data.update({"rule-TOTAL_FORMS": str(len(rows)), "rule-INITIAL_FORMS": str(initial_rows)})
    for index, row in enumerate(rows):
        data.update({f"rule-{index}-{name}": value for name, value in row.items()})
    return data


def _stored_rules(business):
    return care_settings(Business.objects.get(pk=business.pk)).aftercare_purchase_rules


def test_the_page_shows_the_rules_and_two_empty_rows_each_input_labelled(
    owner_client, business, owner
):
    care_settings_update(business=business, actor=owner, aftercare_purchase_rules=[COLOUR])

    page = owner_client.get(reverse("web:care_settings")).content.decode()

    rules = re.split(r"</fieldset>\s*</fieldset>", page.split('data-testid="purchase-rules"')[1])[0]
    assert rules.count('data-testid="purchase-rule"') == 3
    assert re.findall(r"<legend>([^<]+)</legend>", rules) == [
        "Nazorg bij een soort aankoop",
        "Regel 1",
        "Nieuwe regel",
        "Nieuwe regel",
    ]
    assert 'name="rule-0-words" value="kleur, balayage"' in rules
    assert 'name="rule-0-ask" value="Vragen hoe de kleur houdt"' in rules
    assert 'placeholder="bijv. behandeling, onderhoud"' in rules
    # Every input has its label; only a saved rule can be removed.
    for name in re.findall(r'<input(?! type="hidden")[^>]+id="(id_rule-[^"]+)"', rules):
        assert f'for="{name}"' in rules
    assert len(re.findall(r'<input(?! type="hidden")[^>]+id="id_rule-', rules)) == 10
    assert 'name="rule-1-remove"' not in rules
    assert "<script" not in rules


def test_the_owner_adds_changes_and_removes_rules(owner_client, business, owner):
    care_settings_update(business=business, actor=owner, aftercare_purchase_rules=[COLOUR, TYRES])
    rows = [
        {"words": "kleur, balayage, highlights", "days": "4", "ask": "Vragen hoe de kleur houdt"},
        {"words": "banden", "days": "7", "ask": "Bandenspanning nakijken", "remove": "on"},
        {"words": "nieuwe fiets", "days": "30", "ask": "Gratis controle aanbieden"},
        {"words": "", "days": "", "ask": ""},
    ]

    response = owner_client.post(reverse("web:care_settings"), _posted(business, rows, 2))

    assert response.status_code == 302
    assert _stored_rules(business) == (
        PurchaseRule(words=("kleur", "balayage", "highlights"), days=4, ask=COLOUR.ask),
        PurchaseRule(words=("nieuwe fiets",), days=30, ask="Gratis controle aanbieden"),
    )
    history = owner_client.get(reverse("web:care_settings")).content.decode()
    assert (
        "Nazorg bij een soort aankoop: kleur, balayage na 3 dagen: Vragen hoe de kleur houdt; "
        "banden na 7 dagen: Bandenspanning nakijken → kleur, balayage, highlights na 4 dagen: "
        "Vragen hoe de kleur houdt; nieuwe fiets na 30 dagen: Gratis controle aanbieden"
    ) in history


def test_a_half_filled_rule_is_shown_at_its_row_and_nothing_is_stored(
    owner_client, business, owner
):
    care_settings_update(business=business, actor=owner, aftercare_purchase_rules=[COLOUR])
    before = Business.objects.get(pk=business.pk).settings
    rows = [
        {"words": "kleur", "days": "3", "ask": "Vragen hoe de kleur houdt"},
        {"words": "banden", "days": "400", "ask": ""},
    ]
    data = _posted(business, rows, 1)
    data["promise_grace_hours"] = "12"  # changed with it, and not stored either

    response = owner_client.post(reverse("web:care_settings"), data)

    assert response.status_code == 422
    page = response.content.decode()
    row = page.split("Nieuwe regel</legend>")[1].split("</fieldset>")[0]
    assert re.findall(r'role="alert">([^<]+)<', row) == [
        "Zorg ervoor dat deze waarde hoogstens 365 is.",
        "Zeg wat je de klant wilt vragen.",
    ]
    assert 'value="banden"' in row  # what was typed is kept
    # Named at the top too, where the page opens again: it looked unchanged there.
    summary = page.split('data-testid="rule-error-summary">')[1].split("</div>")[0]
    assert re.findall(r"<p class=\"error\">([^<]+)<|<a href=\"#([^\"]+)\">([^<]+)<", summary) == [
        ("Niet opgeslagen. Kijk bij:", "", ""),
        ("", "id_rule-1-days", "Regel 2: nazorg na (dagen)"),
        ("", "id_rule-1-ask", "Regel 2: wat te vragen"),
    ]
    assert Business.objects.get(pk=business.pk).settings == before


def test_a_rule_of_only_commas_is_refused_at_its_row_and_a_bad_row_can_be_removed(
    owner_client, business, owner
):
    care_settings_update(business=business, actor=owner, aftercare_purchase_rules=[COLOUR, TYRES])
    before = Business.objects.get(pk=business.pk).settings
    rows = [
        {"words": " , ,", "days": "3", "ask": "Vragen hoe de kleur houdt"},
        {"words": "banden", "days": "999", "ask": "", "remove": "on"},
    ]

    refused = owner_client.post(reverse("web:care_settings"), _posted(business, rows, 2))

    assert refused.status_code == 422
    row = refused.content.decode().split("Regel 1</legend>")[1].split("</fieldset>")[0]
    assert re.findall(r'role="alert">([^<]+)<', row) == ["Geef minstens één woord."]
    assert Business.objects.get(pk=business.pk).settings == before

    rows[0]["words"] = "kleur"
    saved = owner_client.post(reverse("web:care_settings"), _posted(business, rows, 2))

    assert saved.status_code == 302
    assert _stored_rules(business) == (
        PurchaseRule(words=("kleur",), days=3, ask="Vragen hoe de kleur houdt"),
    )


def test_a_form_without_the_rows_keeps_the_rules(owner_client, business, owner):
    care_settings_update(business=business, actor=owner, aftercare_purchase_rules=[COLOUR])
    data = _posted(business, [], 0)
    del data["rule-TOTAL_FORMS"], data["rule-INITIAL_FORMS"]
    data["promise_grace_hours"] = "12"

    response = owner_client.post(reverse("web:care_settings"), data)

    assert response.status_code == 302
    assert _stored_rules(business) == (COLOUR,)
    assert care_settings(Business.objects.get(pk=business.pk)).promise_grace_hours == 12


def test_staff_cannot_change_the_rules(staff_client, business):
    rows = [{"words": "kleur", "days": "3", "ask": "Vragen hoe de kleur houdt"}]

    response = staff_client.post(reverse("web:care_settings"), _posted(business, rows, 0))

    assert response.status_code == 403
    assert _stored_rules(business) == ()


def test_today_shows_what_the_rule_asks_and_about_which_purchase(
    owner_client, business, owner, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    care_settings_update(
        business=business,
        actor=owner,
        aftercare_purchase_rules=[PurchaseRule(words=("kleur",), days=0, ask=COLOUR.ask)],
    )
    eva = CustomerFactory(business=business, name="Eva Smit")
    with django_capture_on_commit_callbacks(execute=True):
        purchase_create(customer=eva, amount_cents=8950, description="Knippen + kleuren")
    follow_up = FollowUp.objects.get()
    assert follow_up.reason == Reason.PURCHASE
    follow_up.due_on = business.today()  # as if planned on a closed day, it moved: due now
    follow_up.save(update_fields=["due_on"])
    with django_assert_max_num_queries(60) as one:
        owner_client.get(reverse("web:today"))
    for index in range(3):
        other = CustomerFactory(business=business, name=f"Klant {index}")
        with django_capture_on_commit_callbacks(execute=True):
            bought = purchase_create(customer=other, amount_cents=500, description="Kleur")
        FollowUp.objects.filter(purchase=bought).update(due_on=business.today())
    FollowUpFactory(customer=eva, due_on=business.today() - timedelta(days=1))

    with django_assert_max_num_queries(len(one.captured_queries)):
        page = owner_client.get(reverse("web:today")).content.decode()

    row = page.split(f'id="follow-up-{follow_up.pk}"')[1].split("</li>")[0]
    assert "na een aankoop" in row
    assert (
        '<span class="clip">Vragen hoe de kleur houdt <span class="subtle" '
        'data-testid="follow-up-purchase">· Knippen + kleuren</span></span>'
    ) in row


def test_the_history_says_a_rule_of_one_day_and_of_the_same_day_in_words(
    owner_client, business, owner
):
    care_settings_update(business=business, actor=owner, aftercare_purchase_rules=[COLOUR])
    care_settings_update(
        business=business,
        actor=owner,
        aftercare_purchase_rules=[
            {"words": ["kleur"], "days": 1, "ask": "Vragen hoe de kleur houdt"},
            {"words": ["banden"], "days": 0, "ask": "Bandenspanning nakijken"},
        ],
    )

    history = owner_client.get(reverse("web:care_settings")).content.decode()

    assert (
        "kleur, balayage na 3 dagen: Vragen hoe de kleur houdt → kleur na 1 dag: Vragen hoe de "
        "kleur houdt; banden dezelfde dag: Bandenspanning nakijken"
    ) in history


def test_a_half_filled_rule_and_a_day_closing_before_it_opens_are_said_at_once(
    owner_client, business, owner
):
    """Tuesday 18:00 to 09:00 and a rule without its days: the rule's refusal alone came back,
    and the next save refused Tuesday. Both are said now, and nothing is stored."""
    before = Business.objects.get(pk=business.pk).settings
    data = _posted(business, [{"words": "kleur", "days": "", "ask": "Vragen hoe het zit"}], 0)
    data.update({"tuesday_opens": "18:00", "tuesday_closes": "09:00"})

    response = owner_client.post(reverse("web:care_settings"), data)

    assert response.status_code == 422
    assert response.context["form"].errors == {
        "tuesday_closes": [
            "De sluitingstijd op dinsdag moet later zijn dan de openingstijd, of na middernacht "
            "uiterlijk 06:00."
        ]
    }
    assert response.context["rules"].errors == [{"days": ["Zeg na hoeveel dagen."]}]
    assert Business.objects.get(pk=business.pk).settings == before


# Committed as in production (no request is one transaction): the call is planned once the
# purchase is, before the page says so.
@pytest.mark.django_db(transaction=True)
def test_a_purchase_saved_says_when_its_call_is_planned(owner_client, business, owner):
    """A garage typing in last week's jobs could not tell which got a call, and when."""
    care_settings_update(
        business=business,
        actor=owner,
        aftercare_purchase_rules=[PurchaseRule(words=("kleur",), days=3, ask=COLOUR.ask)],
    )
    eva = CustomerFactory(business=business, name="Eva Smit")
    url = reverse("web:purchase_add", args=[eva.pk])

    colour = owner_client.post(url, {"amount": "89,50", "description": "Kleuren"}, headers=HTMX)
    cut = owner_client.post(url, {"amount": "35,00", "description": "Knippen"}, headers=HTMX)

    due_on = FollowUp.objects.get().due_on
    with translation.override("nl"):
        day = moment_shown(due_on, "WEEKDAY")
    assert due_on == open_on(business.today() + timedelta(days=3))
    assert (
        '<p class="message message-success" role="status" data-testid="record-saved">'
        f"Aankoop opgeslagen. Nazorg gepland: bellen hoe het was, op {day}.</p>"
    ) in colour.content.decode()
    # One without a call, in the other's three days (no second call then), says no more.
    assert 'data-testid="record-saved">Aankoop opgeslagen.</p>' in cut.content.decode()
