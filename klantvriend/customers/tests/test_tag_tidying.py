"""The owner tidies the shop's tags (the Tags page): renames one, merges two that mean one thing
("bbq" and "BBQ", "barbecue" and "BBQ"), removes one. The kept numbers of customers per tag
(migration 0007) stay right, checked against the links themselves; a refused change changes
nothing; each change is one event of the audit trail, not one per customer."""

from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone, translation

from klantvriend.core.audit import AuditAction
from klantvriend.core.errors import NotFound, ValidationError
from klantvriend.core.models import AuditEvent
from klantvriend.customers import selectors, services
from klantvriend.customers.models import Customer, Tag, TagCount


def tags_of(customer: Customer) -> list[str]:
    return sorted(customer.tags.values_list("name", flat=True))


def kept(business) -> dict[str, int]:
    return {tag.name: tag.customer_count for tag in selectors.tag_list(business=business)}


def counted(business) -> dict[str, int]:
    return dict(
        Tag.objects.filter(business=business)
        .annotate(n=Count("customers"))
        .values_list("name", "n")
    )


def stored(business) -> list[tuple]:
    """Everything a refused change must leave as it was: tags, links, counts, the trail."""
    return [
        sorted(Tag.objects.filter(business=business).values_list("pk", "name")),
        sorted(Customer.tags.through.objects.values_list("customer_id", "tag_id")),
        sorted(TagCount.objects.values_list("tag_id", "customers")),
        AuditEvent.objects.count(),
        sorted(Customer.objects.values_list("pk", "updated_at")),
    ]


@pytest.fixture
def shop(business):
    """Two spellings of one tag from before tags were compared in any capitals, and a third
    word for the same thing."""
    for name in ("BBQ", "bbq", "barbecue"):
        Tag.objects.create(business=business, name=name)
    customers = {
        "anna": services.customer_create(business=business, name="Anna", tags=["BBQ", "buurt"]),
        "bram": services.customer_create(business=business, name="Bram", tags=["BBQ"]),
        "cor": services.customer_create(business=business, name="Cor", tags=["bbq", "buurt"]),
        "dirk": services.customer_create(business=business, name="Dirk", tags=["bbq", "BBQ"]),
        "eva": services.customer_create(business=business, name="Eva", tags=["barbecue"]),
    }
    assert kept(business) == counted(business) == {"BBQ": 3, "bbq": 2, "barbecue": 1, "buurt": 2}
    return customers


def test_a_rename_to_a_new_name_renames_the_tag_for_all_its_customers(business, shop, owner):
    buurt = Tag.objects.get(business=business, name="buurt")
    before = Customer.objects.get(pk=shop["anna"].pk).updated_at

    result = services.tag_rename(tag=buurt, name="  Buurtgenoot ", actor=owner)

    assert result.pk == buurt.pk
    assert result.name == "Buurtgenoot"
    assert tags_of(shop["anna"]) == ["BBQ", "Buurtgenoot"]
    assert tags_of(shop["cor"]) == ["Buurtgenoot", "bbq"]
    assert (
        kept(business)
        == counted(business)
        == {
            "BBQ": 3,
            "bbq": 2,
            "barbecue": 1,
            "Buurtgenoot": 2,
        }
    )
    event = AuditEvent.objects.get(object_type="tag")
    assert (event.action, event.object_id, event.actor, event.customer_id) == (
        AuditAction.CHANGED,
        buurt.pk,
        owner,
        None,
    )
    assert event.changes == {"name": ["buurt", "Buurtgenoot"]}
    # The customers who carry it were changed (the API hands out when), the others not.
    assert Customer.objects.get(pk=shop["anna"].pk).updated_at > before
    assert Customer.objects.get(pk=shop["bram"].pk).updated_at == shop["bram"].updated_at


def test_a_rename_in_other_capitals_of_itself_is_a_rename(business, shop):
    barbecue = Tag.objects.get(business=business, name="barbecue")

    services.tag_rename(tag=barbecue, name="Barbecue")

    assert tags_of(shop["eva"]) == ["Barbecue"]
    assert Tag.objects.filter(business=business).count() == 4


def test_a_rename_onto_another_spelling_merges_without_doubles(business, shop, owner):
    bbq = Tag.objects.get(business=business, name="bbq")
    big = Tag.objects.get(business=business, name="BBQ")

    result = services.tag_rename(tag=bbq, name="BBQ", actor=owner)

    assert result.pk == big.pk
    assert not Tag.objects.filter(pk=bbq.pk).exists()
    assert tags_of(shop["cor"]) == ["BBQ", "buurt"]  # got BBQ, kept buurt
    assert tags_of(shop["dirk"]) == ["BBQ"]  # had both: one link, not two
    assert tags_of(shop["anna"]) == ["BBQ", "buurt"]
    assert kept(business) == counted(business) == {"BBQ": 4, "barbecue": 1, "buurt": 2}
    assert TagCount.objects.filter(tag_id=bbq.pk).count() == 0
    event = AuditEvent.objects.get(object_type="tag")
    assert (event.action, event.object_id, event.changes) == (
        AuditAction.MERGED,
        big.pk,
        {"name": ["bbq", "BBQ"], "customers": 2},
    )
    # One event for the tag, none on the customers' own trails.
    assert AuditEvent.objects.filter(customer__isnull=False, action=AuditAction.MERGED).count() == 0


def test_a_rename_in_any_capitals_merges_into_the_tag_as_the_shop_spells_it(business, shop):
    barbecue = Tag.objects.get(business=business, name="barbecue")

    services.tag_rename(tag=barbecue, name="bbq")  # written exactly so: that one
    assert kept(business) == counted(business) == {"BBQ": 3, "bbq": 3, "buurt": 2}

    buurt = Tag.objects.get(business=business, name="buurt")
    result = services.tag_rename(tag=buurt, name="Bbq")  # neither: the first in sorted order

    assert result.name == "BBQ"
    assert kept(business) == counted(business) == {"BBQ": 4, "bbq": 3}
    assert tags_of(shop["cor"]) == ["BBQ", "bbq"]


def test_merging_the_spellings_of_a_name_keeps_one_tag_with_every_customer(business, shop):
    Tag.objects.create(business=business, name="Bbq")
    big = Tag.objects.get(business=business, name="BBQ")

    merged = services.tag_merge_spellings(tag=big)

    assert merged == ["Bbq", "bbq"]
    assert kept(business) == counted(business) == {"BBQ": 4, "barbecue": 1, "buurt": 2}
    assert AuditEvent.objects.filter(object_type="tag", action=AuditAction.MERGED).count() == 2


def test_the_spelling_a_merge_keeps_is_the_one_most_customers_carry(business, shop):
    row = {row.tag.name: row for row in selectors.tag_overview(business=business)}

    assert list(row) == ["barbecue", "BBQ", "bbq", "buurt"]  # by name in any capitals
    assert row["bbq"].keep.name == row["BBQ"].keep.name == "BBQ"
    assert [tag.name for tag in row["bbq"].spellings] == ["BBQ"]
    assert row["buurt"].keep is None
    assert row["buurt"].spellings == []


def test_removing_a_tag_leaves_its_customers_their_other_tags(business, shop, owner):
    buurt = Tag.objects.get(business=business, name="buurt")

    carried = services.tag_delete(tag=buurt, actor=owner)

    assert carried == 2
    assert tags_of(shop["anna"]) == ["BBQ"]
    assert tags_of(shop["cor"]) == ["bbq"]
    assert Customer.objects.filter(business=business).count() == 5
    assert kept(business) == counted(business) == {"BBQ": 3, "bbq": 2, "barbecue": 1}
    event = AuditEvent.objects.get(object_type="tag")
    assert (event.action, event.object_id, event.changes) == (
        AuditAction.DELETED,
        buurt.pk,
        {"name": ["buurt", None], "customers": 2},
    )


@pytest.mark.parametrize(
    ("name", "message_en", "message_nl"),
    [
        ("", "Enter the tag's new name.", "Vul de nieuwe naam van het label in."),
        ("   ", "Enter the tag's new name.", "Vul de nieuwe naam van het label in."),
        ("x" * 51, "A tag can be at most 50 characters long", "Een label mag hoogstens 50 tekens"),
        (" buurt  ", "The tag is called buurt already.", "Het label heet al buurt."),
        ("bu\x00urt", "Null characters are not allowed.", "Null-tekens zijn niet toegestaan."),
    ],
)
def test_a_refused_name_changes_nothing_and_says_why(business, shop, name, message_en, message_nl):
    buurt = Tag.objects.get(business=business, name="buurt")
    before = stored(business)

    for language, message in (("en", message_en), ("nl", message_nl)):
        with translation.override(language):
            with pytest.raises(ValidationError) as refused:
                services.tag_rename(tag=buurt, name=name)
            assert list(refused.value.message_dict) == ["name"]
            assert refused.value.message_dict["name"][0].startswith(message)

    assert stored(business) == before


def test_a_merge_that_fails_halfway_leaves_everything_as_it_was(business, shop, monkeypatch):
    bbq = Tag.objects.get(business=business, name="bbq")
    before = stored(business)

    def refuse(*args, **kwargs):
        raise RuntimeError("the disk is full")

    # The links are added and the customers marked changed; then the trail cannot be written.
    monkeypatch.setattr(services, "audit_record", refuse)
    with pytest.raises(RuntimeError):
        services.tag_rename(tag=bbq, name="BBQ")

    assert stored(business) == before


def test_another_business_s_tag_is_not_found(business, other_business, shop):
    foreign = Tag.objects.create(business=other_business, name="elders")
    big = Tag.objects.get(business=business, name="BBQ")
    before = stored(business)

    with pytest.raises(NotFound):
        selectors.tag_get(business=business, tag_id=foreign.pk)
    with pytest.raises(NotFound):
        services.tag_merge(tag=foreign, into=big)
    with pytest.raises(NotFound):
        services.tag_merge(tag=big, into=big)

    assert stored(business) == before


def test_a_tag_merged_or_removed_meanwhile_is_not_found(business, shop):
    bbq = Tag.objects.get(business=business, name="bbq")
    seen = Tag.objects.get(pk=bbq.pk)  # another window's copy
    services.tag_delete(tag=bbq)
    before = stored(business)

    with pytest.raises(NotFound):
        services.tag_rename(tag=seen, name="grill")
    with pytest.raises(NotFound):
        services.tag_delete(tag=seen)

    assert stored(business) == before


def test_the_tags_history_is_the_newest_first(business, shop, owner):
    services.tag_delete(tag=Tag.objects.get(business=business, name="buurt"), actor=owner)
    AuditEvent.objects.update(at=timezone.now() - timedelta(minutes=1))
    services.tag_rename(tag=Tag.objects.get(business=business, name="bbq"), name="BBQ")

    events = selectors.tag_history(business=business)

    assert [event.action for event in events] == [AuditAction.MERGED, AuditAction.DELETED]
