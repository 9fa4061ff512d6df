"""A migration that changes a column of a table the triggers concern (one on the table, or one
reading it) leaves every trigger as it was and every kept figure kept. On SQLite, Django changes
most columns by rebuilding the table, which on its own drops the table's triggers and fails on
those of other tables that read it; the project's SQLite backend (core/sqlite/schema.py) takes
them out and creates them again. On PostgreSQL the columns change in place.

Each test changes the schema as the migration executor does, inside a transaction that is
rolled back at the end, so the database of the other tests stays as the migrations left it."""

from contextlib import contextmanager
from datetime import timedelta
from functools import cache

import pytest
from django.apps import apps
from django.db import OperationalError, connection, migrations, models
from django.db.backends.sqlite3.schema import DatabaseSchemaEditor as DjangoSchemaEditor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from klantvriend.core.db import trigger_definitions
from klantvriend.core.sqlite.schema import DatabaseSchemaEditor, names_table
from klantvriend.customers import selectors, services
from klantvriend.customers.models import Customer, Tag
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.customers.tests.test_customer_count import (
    _counted,
    _kept,
    _spend_kept,
    _spend_summed,
    _tags_counted,
    _tags_kept,
    _tally_counted,
    _tally_kept,
)
from klantvriend.importers.models import CustomerActivity
from klantvriend.importers.tests.test_customer_activity import assert_kept
from klantvriend.promises.models import Promise
from klantvriend.promises.tests.factories import PromiseFactory

# The schema editor cannot work inside the transaction a plain test runs in on SQLite (foreign
# keys are checked there); each test rolls its own changes back instead.
pytestmark = pytest.mark.django_db(transaction=True)


class _RolledBack(Exception):
    pass


@cache
def _project_state():
    """The project's state after all migrations, its models rendered once: each clone below
    takes the rendered models along and renders again only those an operation touches (the
    first test rendered every model for each of its 40 operations: 15.6 s on SQLite)."""
    state = MigrationLoader(connection).project_state()
    state.apps  # noqa: B018 (rendered here, once)
    return state


class _Migrating:
    """Operations applied one after the other as a migration of one app would apply them."""

    def __init__(self, app_label: str, editor):
        self.app_label, self.editor = app_label, editor
        self.state = _project_state().clone()

    def apply(self, *operations) -> None:
        for operation in operations:
            after = self.state.clone()
            operation.state_forwards(self.app_label, after)
            operation.database_forwards(self.app_label, self.editor, self.state, after)
            self.state = after


@contextmanager
def migrated(app_label: str, *operations):
    """The operations applied as a migration of `app_label` would apply them, on the project's
    state after all migrations, and more applied inside the block with `.apply`; everything is
    rolled back when the block ends."""
    try:
        with connection.schema_editor(atomic=True) as editor:
            migrating = _Migrating(app_label, editor)
            migrating.apply(*operations)
            yield migrating
            raise _RolledBack
    except _RolledBack:
        pass


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [
            column.name for column in connection.introspection.get_table_description(cursor, table)
        ]


def _firing_order() -> dict[str, list[str]]:
    """The triggers on each table in the order the database fires those of one event: on
    SQLite the order they were created in, on PostgreSQL their names' order."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' ORDER BY rowid"
            )
        else:
            cursor.execute(
                "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal "
                "ORDER BY tgname"
            )
        order: dict[str, list[str]] = {}
        for table, name in cursor.fetchall():
            order.setdefault(table, []).append(name)
        return order


def _triggered_models() -> list[type[models.Model]]:
    """The models whose table has triggers or is read by one, with the links of a
    many-to-many field."""
    definitions = " ".join(trigger_definitions().values())
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if names_table(definitions, model._meta.db_table)
    ]


# A one-to-one field, unique and related: SQLite adds it, and removes it, by rebuilding.
PROBE = models.OneToOneField(
    "core.business", null=True, on_delete=models.SET_NULL, related_name="+"
)


def test_a_field_added_to_and_removed_from_any_triggered_table_leaves_the_triggers_as_written(
    db,
):
    # Given every trigger as the migrations wrote it, and the tables they concern,
    before, order = trigger_definitions(), _firing_order()
    triggered = _triggered_models()
    assert {model._meta.db_table for model in triggered} >= {
        "customers_customer",
        "customers_customer_tags",
        "customers_purchase",
        "customers_customerspend",
        "customers_customercount",
        "customers_tagcount",
        "customers_referrertally",
        "importers_customeractivity",
        "promises_promise",
        "core_auditevent",
        "surveys_surveyresponse",
    }
    for model in triggered:
        if model._meta.auto_created:
            continue  # no operation rebuilds a many-to-many link (the tags': last test below)
        options = model._meta
        # When a one-to-one field is added to the table and removed again,
        add = migrations.AddField(options.model_name, "rebuild_probe", PROBE.clone())
        remove = migrations.RemoveField(options.model_name, "rebuild_probe")
        with migrated(options.app_label, add) as migrating:
            # then the triggers are those of before, word for word, in the same order,
            assert trigger_definitions() == before, options.db_table
            assert _firing_order() == order, options.db_table
            assert "rebuild_probe_id" in _columns(options.db_table)
            migrating.apply(remove)
            assert trigger_definitions() == before, options.db_table
            assert _firing_order() == order, options.db_table
            assert "rebuild_probe_id" not in _columns(options.db_table)


def test_a_customers_table_altered_keeps_every_figure_kept(business, other_business):
    # Given the customers' name made longer (SQLite rebuilds the table that 17 triggers are on
    # and 25 others read),
    longer = migrations.AlterField("customer", "name", models.CharField("name", max_length=250))
    before = trigger_definitions()
    with migrated("customers", longer):
        assert trigger_definitions() == before
        # when customers are written, tagged, referred, buy, change and go,
        anna = services.customer_create(business=business, name="Anna", tags=["buurt"])
        bram = CustomerFactory(business=business, name="Bram Visser", referred_by=anna)
        services.customer_update(customer=bram, name="Bram Visser", tags=["buurt", "vast"])
        PurchaseFactory(customer=bram, amount_cents=1250)
        PurchaseFactory(customer=bram, amount_cents=750)
        gone = CustomerFactory(business=other_business, name="Cor")
        PurchaseFactory(customer=gone, amount_cents=999)
        CustomerFactory(business=other_business, name="Dirk")
        gone.delete()

        # then each kept figure is what the rows say,
        assert _kept() == _counted() == {business.pk: 2, other_business.pk: 1}
        assert _tags_kept(business) == _tags_counted() == {"buurt": 2, "vast": 1}
        assert _spend_kept() == _spend_summed() == {bram.pk: 2000}
        assert _tally_kept() == _tally_counted() == {anna.pk: (1, 2000)}
        assert_kept()
        # and the search index still follows the names.
        assert [c.pk for c in selectors.customer_list(business=business, query="visser")] == [
            bram.pk
        ]


def test_the_promises_table_with_a_one_to_one_field_added_and_removed_keeps_the_activity_kept(
    business,
):
    # Given a one-to-one field added to the promises, or their link to a successor removed and
    # added again (promises 0006, a plain AddField), each a rebuild of the table on SQLite,
    probe = migrations.AddField(
        "promise",
        "rebuild_probe",
        models.OneToOneField(
            "promises.promise", null=True, on_delete=models.SET_NULL, related_name="+"
        ),
    )
    removed = migrations.RemoveField("promise", "rescheduled_to")
    restored = migrations.AddField(
        "promise", "rescheduled_to", Promise._meta.get_field("rescheduled_to").clone()
    )
    long_ago = timezone.now() - timedelta(days=400)
    for operations in ((probe,), (removed, restored)):
        with migrated("promises", *operations):
            customer = CustomerFactory(
                business=business, created_at=long_ago, customer_since=long_ago.date()
            )
            # when a promise is made, moved to a later moment, and a still later one deleted,
            promise = PromiseFactory(customer=customer)
            later = promise.due_at + timedelta(days=30)
            Promise.objects.filter(pk=promise.pk).update(due_at=later)
            deleted = PromiseFactory(customer=customer, due_at=later + timedelta(days=30))
            assert CustomerActivity.objects.get(customer=customer).moment == deleted.due_at
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM promises_promise WHERE id = %s", [deleted.pk])

            # then the customer's latest activity is the moved promise's moment.
            assert_kept()
            assert CustomerActivity.objects.get(customer=customer).moment == later


def test_a_rebuild_that_would_break_a_trigger_is_refused_and_changes_nothing(business):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL renames the column in place and compiles trigger functions late")
    # Given the promises' customer column renamed (a related field: SQLite rebuilds), while the
    # triggers that keep the latest activity read `customer_id`,
    before = trigger_definitions()
    columns = _columns("promises_promise")
    renamed = migrations.AlterField(
        "promise",
        "customer",
        models.ForeignKey(
            "customers.customer",
            on_delete=models.CASCADE,
            related_name="promises",
            db_column="client_id",
        ),
    )

    # when the migration runs, it is refused, naming the table and a trigger that reads it,
    with pytest.raises(OperationalError) as refused, migrated("promises", renamed):
        pass
    assert str(refused.value) == (
        "Rebuilding the table promises_promise breaks a trigger that reads it (error in trigger "
        "importers_activity_promises_promise_insert: no such column: new.customer_id). Drop or "
        "rewrite that trigger in the migration before this change."
    )
    # and nothing changed: the columns and the triggers are as before.
    assert _columns("promises_promise") == columns
    assert trigger_definitions() == before


@contextmanager
def _rebuilt(model, editor_class):
    """The model's table rebuilt on SQLite by the schema editor given, as every operation that
    rebuilds it does; rolled back when the block ends. (A many-to-many field's link table has
    no operation of its own that rebuilds it, but it is rebuilt like any other.)"""
    try:
        with editor_class(connection, atomic=True) as editor:
            editor._remake_table(model)
            yield
            raise _RolledBack
    except _RolledBack:
        pass


def test_djangos_own_rebuild_fails_on_a_table_that_other_triggers_read(db):
    """Why core/sqlite exists: should this fail, Django or SQLite has learned to rebuild such a
    table by itself, and the backend may be let go."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL changes columns in place")
    refused = pytest.raises(OperationalError, match=r"no such table: main\.promises_promise")
    with refused, _rebuilt(Promise, DjangoSchemaEditor):
        pass


def test_djangos_own_rebuild_silently_drops_the_triggers_on_the_table(db):
    """The other reason: no trigger elsewhere reads the tag links, so Django's rebuild goes
    through, and the tags' counts are no longer kept."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL changes columns in place")
    kept_by_triggers = {"customers_tag_count_insert", "customers_tag_count_delete"}
    assert kept_by_triggers <= set(trigger_definitions())
    with _rebuilt(Customer.tags.through, DjangoSchemaEditor):
        assert not kept_by_triggers & set(trigger_definitions())
    assert kept_by_triggers <= set(trigger_definitions())  # rolled back


def test_the_tag_links_rebuilt_keep_their_triggers_and_the_tags_counted(business):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL changes columns in place")
    before = trigger_definitions()
    with _rebuilt(Customer.tags.through, DatabaseSchemaEditor):
        assert trigger_definitions() == before
        anna = services.customer_create(business=business, name="Anna", tags=["buurt", "vast"])
        services.customer_create(business=business, name="Bram", tags=["buurt"])
        anna.tags.remove(Tag.objects.get(name="vast"))
        assert _tags_kept(business) == _tags_counted() == {"buurt": 2, "vast": 0}
