from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from klantvriend.core.models import Business
from klantvriend.customers.models import Customer
from klantvriend.demo.shop import demo_create
from klantvriend.isolation import snapshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_restores_into_an_emptied_database_and_compares_equal(tmp_path):
    demo_create(customers=40, seed=3, username="backup-owner")
    before = snapshot()
    archive = tmp_path / "klantvriend.backup"
    call_command("backup", str(archive), stdout=StringIO())

    call_command("flush", "--no-input", verbosity=0)
    assert Business.objects.count() == 0
    call_command("restore", str(archive), "--yes", stdout=StringIO())
    connection.close()

    assert snapshot() == before
    assert Customer.objects.count() == 40


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(tmp_path):
    demo_create(customers=5, seed=3, username="backup-owner")
    before = snapshot()
    bogus = tmp_path / "export.csv"
    bogus.write_text("naam;bedrag\nAnna;12,50\n")

    with pytest.raises(CommandError, match=r"export\.csv is geen (SQLite|PostgreSQL)-back-up"):
        call_command("restore", str(bogus), "--yes")

    assert snapshot() == before
