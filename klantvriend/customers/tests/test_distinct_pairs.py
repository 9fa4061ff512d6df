"""Customers the owner marked as not the same person (DistinctPair): how many pairs of each
shared key are so marked (MatchCount.apart), kept by the triggers of migration 0025 after every
kind of write, and what the list of possible duplicates then counts and offers."""

import pytest

from klantvriend.core.audit import AuditAction
from klantvriend.core.errors import Conflict, NotFound
from klantvriend.core.models import AuditEvent
from klantvriend.customers import selectors, services
from klantvriend.customers.models import Customer, DistinctPair, MatchCount


def _jan(business, **fields) -> Customer:
    return services.customer_create(business=business, name="Jan de Vries", **fields)


def _apart_kept(business) -> set[tuple[str, str, int]]:
    return set(
        MatchCount.objects.filter(business=business, apart__gt=0).values_list(
            "kind", "key", "apart"
        )
    )


def _apart_counted(business) -> set[tuple[str, str, int]]:
    counted: dict[tuple[str, str], int] = {}
    for pair in DistinctPair.objects.filter(business=business).select_related("first", "second"):
        for kind in ("email", "phone", "name"):
            key = getattr(pair.first, f"match_{kind}")
            if key and key == getattr(pair.second, f"match_{kind}"):
                counted[kind, key] = counted.get((kind, key), 0) + 1
    return {(kind, key, n) for (kind, key), n in counted.items()}


def _pairs(business) -> set[tuple[str, str]]:
    return {
        (pair.first.name, pair.second.name)
        for pair in DistinctPair.objects.filter(business=business).select_related("first", "second")
    }


def _mark(business, one: Customer, other: Customer, actor=None) -> DistinctPair:
    return services.distinct_pair_create(
        business=business, customer_id=one.pk, other_id=other.pk, actor=actor
    )


def test_every_kind_of_write_keeps_the_pairs_of_each_key(business, other_business):
    # Given three customers of one name, two of them also of one e-mail address,
    first = _jan(business, email="jan@example.nl")
    second = _jan(business, email="jan@example.nl")
    third = _jan(business)
    _jan(other_business)
    # when two pairs are marked apart, each is counted under every key both share;
    _mark(business, first, second)
    _mark(business, second, third)
    assert (
        _apart_kept(business)
        == _apart_counted(business)
        == {("name", "jan de vries", 2), ("email", "jan@example.nl", 1)}
    )
    assert _apart_kept(other_business) == set()

    # when one of them changes name, its pairs leave that name's count and join the new one,
    services.customer_update(customer=second, name="Jan de Vries-Bakker")
    assert _apart_kept(business) == _apart_counted(business) == {("email", "jan@example.nl", 1)}
    # also when both of a pair change in one statement (PostgreSQL counts per statement),
    Customer.objects.filter(pk__in=[first.pk, second.pk]).update(match_name="jan")
    assert (
        _apart_kept(business)
        == _apart_counted(business)
        == {("name", "jan", 1), ("email", "jan@example.nl", 1)}
    )
    Customer.objects.filter(pk__in=[first.pk, second.pk, third.pk]).update(match_email="j@x.nl")
    assert (
        _apart_kept(business)
        == _apart_counted(business)
        == {("name", "jan", 1), ("email", "j@x.nl", 2)}
    )
    # and a deleted customer takes its pairs along.
    second.delete()
    assert DistinctPair.objects.filter(business=business).count() == 0
    assert _apart_kept(business) == _apart_counted(business) == set()


def test_marking_a_pair_takes_the_group_off_the_list_and_its_count(business, owner):
    # Given two groups of a name,
    first, second = _jan(business), _jan(business)
    _, _ = (
        services.customer_create(business=business, name="Piet Bakker"),
        services.customer_create(business=business, name="Piet Bakker"),
    )
    assert selectors.duplicate_counts(business=business)["name"] == 2

    # when the owner says the two Jans are different people,
    pair = _mark(business, second, first, actor=owner)

    # then the pair is stored lower id first, with who and when, and their group is gone.
    assert (pair.first_id, pair.second_id, pair.decided_by) == (first.pk, second.pk, owner)
    assert selectors.duplicate_counts(business=business) == {"email": 0, "phone": 0, "name": 1}
    keys = selectors.duplicate_keys(business=business, kind="name", size=20).keys
    assert [row.key for row in keys] == ["piet bakker"]
    # Each customer's trail says so, naming the other by id only.
    events = AuditEvent.objects.filter(object_type="distinctpair", action=AuditAction.CREATED)
    assert sorted(events.values_list("customer_id", "changes")) == [
        (first.pk, {"not_same_as": second.pk}),
        (second.pk, {"not_same_as": first.pk}),
    ]

    # Marking them again changes nothing.
    assert _mark(business, first, second, actor=owner).pk == pair.pk
    assert DistinctPair.objects.count() == 1
    assert events.count() == 2


def test_a_third_record_brings_the_group_back_with_the_pairs_left_to_judge(business, owner):
    first, second = _jan(business), _jan(business)
    _mark(business, first, second, actor=owner)
    assert selectors.duplicate_counts(business=business)["name"] == 0

    third = _jan(business)

    assert selectors.duplicate_counts(business=business)["name"] == 1
    keys = selectors.duplicate_keys(business=business, kind="name", size=20).keys
    [group] = selectors.duplicate_groups(business=business, kind="name", keys=keys)
    assert [c.pk for c in group.customers] == [first.pk, second.pk, third.pk]
    assert group.apart == frozenset({(first.pk, second.pk)})

    # Once the third is told apart from both, the group is gone again.
    _mark(business, first, third)
    assert selectors.duplicate_counts(business=business)["name"] == 1
    _mark(business, second, third)
    assert selectors.duplicate_counts(business=business)["name"] == 0


def test_undo_brings_the_group_back(business, owner):
    first, second = _jan(business), _jan(business)
    pair = _mark(business, first, second, actor=owner)

    services.distinct_pair_undo(business=business, pair_id=pair.pk, actor=owner)

    assert DistinctPair.objects.count() == 0
    assert selectors.duplicate_counts(business=business)["name"] == 1
    assert (
        AuditEvent.objects.filter(object_type="distinctpair", action=AuditAction.CANCELLED).count()
        == 2
    )


def test_a_pair_of_another_business_is_not_found_and_stays(business, other_business):
    theirs = DistinctPair.objects.create(
        business=other_business, first=_jan(other_business), second=_jan(other_business)
    )
    mine = _jan(business)

    with pytest.raises(NotFound):
        services.distinct_pair_undo(business=business, pair_id=theirs.pk)
    with pytest.raises(NotFound):
        _mark(business, mine, theirs.first)
    # A customer with themselves is no pair: refused with its reason.
    with pytest.raises(Conflict) as themselves:
        _mark(business, mine, mine)

    assert themselves.value.code == "same"
    assert list(DistinctPair.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_a_large_group_shows_its_first_pairs_still_to_judge(business):
    # Given eight records of a name, each told apart from all but one of the others: the first
    # from the fifth, the second from the sixth, and so on,
    jans = [_jan(business) for _ in range(8)]
    still_open = {(0, 4), (1, 5), (2, 6), (3, 7)}
    for one in range(8):
        for other in range(one + 1, 8):
            if (one, other) not in still_open:
                _mark(business, jans[one], jans[other])

    keys = selectors.duplicate_keys(business=business, kind="name", size=20).keys
    [group] = selectors.duplicate_groups(business=business, kind="name", keys=keys)

    # the four shown (oldest first) are the first two pairs still to judge, not the first four
    # records, all told apart from each other.
    assert [c.pk for c in group.customers] == [jans[0].pk, jans[1].pk, jans[4].pk, jans[5].pk]
    assert (group.size, group.not_shown) == (8, 4)
    assert group.apart == frozenset(
        {(jans[0].pk, jans[1].pk), (jans[0].pk, jans[5].pk), (jans[1].pk, jans[4].pk),
         (jans[4].pk, jans[5].pk)}
    )  # fmt: skip
