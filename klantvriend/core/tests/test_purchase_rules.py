"""The owner's aftercare rules for a kind of purchase, as the care settings keep them."""

import pytest
from django.utils import translation

from klantvriend.core.audit import audit_for_object
from klantvriend.core.care_settings import (
    MAX_PURCHASE_RULES,
    PurchaseRule,
    care_settings,
    care_settings_update,
)
from klantvriend.core.errors import ValidationError
from klantvriend.core.models import Business

COLOUR = {"words": "kleur, Balayage, kleur,  ", "days": 3, "ask": " Vragen hoe de kleur houdt "}


def test_rules_are_stored_trimmed_and_read_back(business, owner):
    tyres = PurchaseRule(words=("banden",), days=7, ask="Bandenspanning nakijken")

    care_settings_update(business=business, actor=owner, aftercare_purchase_rules=[COLOUR, tyres])

    stored = care_settings(Business.objects.get(pk=business.pk)).aftercare_purchase_rules
    assert stored == (
        PurchaseRule(words=("kleur", "Balayage"), days=3, ask="Vragen hoe de kleur houdt"),
        tyres,
    )
    [event] = audit_for_object(business=business, obj=business)
    assert event.changes["aftercare_purchase_rules"] == [
        [],
        [
            {"words": ["kleur", "Balayage"], "days": 3, "ask": "Vragen hoe de kleur houdt"},
            {"words": ["banden"], "days": 7, "ask": "Bandenspanning nakijken"},
        ],
    ]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"words": " , ", "days": 3, "ask": "Bellen"}, "Rule 2, words: give at least one word."),
        (
            {"words": "kleur", "days": 366, "ask": "Bellen"},
            "Rule 2, after (days): enter a whole number from 0 to 365.",
        ),
        (
            {"words": "kleur", "days": -1, "ask": "Bellen"},
            "Rule 2, after (days): enter a whole number from 0 to 365.",
        ),
        (
            {"words": "kleur", "days": None, "ask": "Bellen"},
            "Rule 2, after (days): enter a whole number from 0 to 365.",
        ),
        (
            {"words": "kleur", "days": 3, "ask": "  "},
            "Rule 2, what to ask: say what to ask the customer.",
        ),
        (
            {"words": "kleur", "days": 3, "ask": "x" * 151},
            "Rule 2, what to ask: at most 150 characters.",
        ),
        (
            {"words": "x" * 41, "days": 3, "ask": "Bellen"},
            "Rule 2, words: a word has at most 40 characters.",
        ),
        (
            {"words": ",".join(f"w{n}" for n in range(11)), "days": 3, "ask": "Bellen"},
            "Rule 2, words: give at most 10 words.",
        ),
    ],
)
def test_a_bad_rule_is_refused_by_its_line_and_field_and_nothing_is_stored(
    business, owner, rule, message
):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        care_settings_update(
            business=business, actor=owner, aftercare_purchase_rules=[COLOUR, rule]
        )

    assert refused.value.message_dict == {"aftercare_purchase_rules": [message]}
    assert Business.objects.get(pk=business.pk).settings == {}
    assert not audit_for_object(business=business, obj=business).exists()


def test_a_refusal_is_worded_in_dutch_for_a_dutch_owner(business, owner):
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        care_settings_update(
            business=business,
            actor=owner,
            aftercare_purchase_rules=[{"words": "", "days": 3, "ask": ""}],
        )

    assert refused.value.message_dict == {
        "aftercare_purchase_rules": [
            "Regel 1, woorden: geef minstens één woord.",
            "Regel 1, wat te vragen: zeg wat je de klant wilt vragen.",
        ]
    }


def test_more_than_twenty_rules_are_refused(business, owner):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        care_settings_update(
            business=business,
            actor=owner,
            aftercare_purchase_rules=[COLOUR] * (MAX_PURCHASE_RULES + 1),
        )

    assert refused.value.message_dict == {
        "aftercare_purchase_rules": ["At most 20 rules for a kind of purchase."]
    }
    assert Business.objects.get(pk=business.pk).settings == {}


def test_a_damaged_stored_rule_is_left_out_and_the_others_kept(business):
    business.settings = {
        "care": {
            "aftercare_purchase_rules": [
                {"words": ["kleur"], "days": "drie", "ask": "Bellen"},
                "kapot",
                {"words": ["fiets"], "days": 30, "ask": "Gratis controle aanbieden"},
            ]
        }
    }

    assert care_settings(business).aftercare_purchase_rules == (
        PurchaseRule(words=("fiets",), days=30, ask="Gratis controle aanbieden"),
    )
