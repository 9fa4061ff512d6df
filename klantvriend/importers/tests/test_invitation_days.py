"""The invitations counted per UTC day and channel (surveys.models.InvitationDay), kept by
triggers on the invitations (surveys 0009): after every kind of write to the invitations,
through the services, the ORM one by one and in bulk, a merge, an erasure and a deletion, the
kept days are the invitations counted afresh, and the tally of any period (the survey results'
and the list of invitations') says what counting the invitations themselves says. Here, beside
the importers, because some of those writes are theirs."""

from collections import Counter
from datetime import UTC, timedelta

from django.db.models import Count
from django.utils import timezone

from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.merge import customer_merge
from klantvriend.importers.privacy import customer_erase
from klantvriend.surveys import selectors, services
from klantvriend.surveys.models import InvitationChannel, InvitationDay, SurveyInvitation
from klantvriend.surveys.tests.factories import SurveyInvitationFactory

TOTALS = ("standing", "answered", "withdrawn")


def _counted_afresh() -> dict[tuple, Counter]:
    counted: dict[tuple, Counter] = {}
    for invitation in SurveyInvitation.objects.all():
        totals = counted.setdefault(
            (
                invitation.business_id,
                invitation.created_at.astimezone(UTC).date(),
                invitation.channel,
            ),
            Counter(),
        )
        if invitation.withdrawn_at is None:
            totals["standing"] += 1
            totals["answered"] += invitation.answered_at is not None
        else:
            totals["withdrawn"] += 1
    return {key: +totals for key, totals in counted.items()}


def _kept() -> dict[tuple, Counter]:
    kept = {}
    for day in InvitationDay.objects.all():
        counts = Counter({total: getattr(day, total) for total in TOTALS})
        if any(counts.values()):  # a day whose invitations are all gone keeps its row at zero
            kept[(day.business_id, day.day, day.channel)] = +counts
    return kept


def _assert_kept(business, now) -> None:
    assert _kept() == _counted_afresh()
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    periods = [
        (None, None),
        (now - timedelta(days=selectors.RESULTS_DAYS), None),  # the results' year
        (midnight - timedelta(days=10), midnight),  # whole days only
        (now - timedelta(days=10, hours=3), now - timedelta(hours=2)),  # both ends cut a day
        (midnight + timedelta(hours=1), midnight + timedelta(hours=20)),  # within one day
        (None, now - timedelta(days=3, hours=5)),
    ]
    for since, until in periods:
        for channel in ("", InvitationChannel.COUNTER, InvitationChannel.EMAIL):
            invitations = selectors._invitations_of(business, since, until, channel)
            expected = invitations.aggregate(
                standing=Count("pk", filter=selectors.STANDING),
                answered=Count("pk", filter=selectors.ANSWERED),
                withdrawn=Count("pk", filter=selectors.WITHDRAWN),
                open=Count("pk", filter=selectors._state_conditions(now)["open"]),
            )
            tally = selectors.survey_invitation_tally(
                business=business, since=since, until=until, channel=channel, states=True, now=now
            )
            assert {
                "standing": tally.standing,
                "answered": tally.answered,
                "withdrawn": tally.withdrawn,
                "open": tally.open,
            } == expected, (since, until, channel)
    results = selectors.survey_results(business=business, now=now)
    year = selectors.survey_invitation_tally(business=business, since=results.since, states=True)
    assert (results.invitations.standing, results.invitations.answered) == (
        year.standing,
        year.answered,
    )


def test_the_kept_days_are_the_invitations_counted_afresh_after_every_kind_of_write(
    business, other_business
):
    now = timezone.now().replace(microsecond=0)
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    anna, bram, cor, dirk = (
        CustomerFactory(business=business, name=name) for name in ("Anna", "Bram", "Cor", "Dirk")
    )

    # Invitations on either side of midnight UTC and of the periods' ends, answered, expired
    # and open, by two channels, one of another business,
    for customer, moment, channel, answered in [
        (anna, now - timedelta(days=400), InvitationChannel.EMAIL, True),
        (anna, now - timedelta(days=200), InvitationChannel.COUNTER, False),
        (bram, midnight - timedelta(days=10, seconds=1), InvitationChannel.COUNTER, True),
        (bram, midnight - timedelta(days=10), InvitationChannel.EMAIL, False),
        (bram, now - timedelta(days=10, hours=4), InvitationChannel.COUNTER, False),
        (cor, now - timedelta(days=3, hours=5), InvitationChannel.COUNTER, True),
        (cor, midnight + timedelta(minutes=30), InvitationChannel.EMAIL, False),
        (cor, midnight + timedelta(hours=2), InvitationChannel.COUNTER, False),
    ]:
        SurveyInvitationFactory(
            customer=customer,
            created_at=moment,
            channel=channel,
            answered_at=moment + timedelta(hours=1) if answered else None,
        )
    SurveyInvitationFactory(customer=CustomerFactory(business=other_business))
    _assert_kept(business, now)

    # made and answered through the survey link,
    created = services.survey_invitation_create(
        business=business, customer=dirk, channel=InvitationChannel.COUNTER
    )
    services.survey_answer(key=created.key, answers={"nps": "9", "comment": ""})
    _assert_kept(business, now)

    # withdrawn, moved to an earlier day and another channel one by one and in bulk, moved to another
    # business, made in bulk,
    SurveyInvitation.objects.filter(customer=cor, answered_at__isnull=True).update(withdrawn_at=now)
    _assert_kept(business, now)
    moved = SurveyInvitation.objects.filter(customer=anna).order_by("created_at").last()
    moved.created_at = now - timedelta(days=250, hours=3)
    moved.save(update_fields=["created_at"])
    _assert_kept(business, now)
    SurveyInvitation.objects.filter(customer=bram).update(channel=InvitationChannel.EMAIL)
    _assert_kept(business, now)
    SurveyInvitation.objects.filter(customer=cor, withdrawn_at__isnull=False).update(
        withdrawn_at=None
    )
    _assert_kept(business, now)
    SurveyInvitation.objects.filter(customer=bram, answered_at__isnull=False).update(
        business=other_business
    )
    _assert_kept(business, now)
    SurveyInvitation.objects.bulk_create(
        SurveyInvitationFactory.build(customer=dirk, created_at=now - timedelta(days=n))
        for n in (1, 2, 2)
    )
    _assert_kept(business, now)

    # merged, erased, deleted one by one, in bulk and with the customer.
    customer_merge(keep=anna, other=bram)
    _assert_kept(business, now)
    customer_erase(customer=anna)
    _assert_kept(business, now)
    SurveyInvitation.objects.filter(customer=cor).first().delete()
    _assert_kept(business, now)
    SurveyInvitation.objects.filter(business=other_business).delete()
    _assert_kept(business, now)
    dirk.delete()
    _assert_kept(business, now)
    assert sum(counts["standing"] for counts in _kept().values()) == (
        SurveyInvitation.objects.filter(withdrawn_at__isnull=True).count()
    )
