"""An import and an edit of the same customer at once: the import must not write back what it
read before the edit committed."""

import threading

import pytest
from django.db import connection, transaction

from klantvriend.core.tests.waiting import wait_until_blocked_or_done
from klantvriend.customers import services
from klantvriend.customers.models import Customer
from klantvriend.importers.service import data_import


@pytest.mark.django_db(transaction=True)
def test_an_import_does_not_write_back_a_note_saved_while_it_ran(tmp_path, business):
    """The import changes Anna's phone number while a member adds a note to her. It used to
    read her without a lock, wait for the member's save only when it wrote, and then write its
    whole copy of her back: the note was gone. It reads her under a lock now, after the save."""
    anna = services.customer_create(
        business=business, name="Anna de Vries", external_ref="1001", phone="0611111111"
    )
    path = tmp_path / "klanten.csv"
    path.write_text("Klantnummer;Naam;Telefoon\r\n1001;Anna de Vries;0622222222\r\n")
    outcome = {}

    def run_import():
        try:
            outcome["import"] = data_import(business=business, kind="customers", path=path)
        finally:
            connection.close()

    with transaction.atomic():
        # The member's save, not yet committed when the import starts.
        edited = Customer.objects.select_for_update().get(pk=anna.pk)
        edited.notes = "Zoon begint in september op school."
        edited.save(update_fields=["notes"])
        importer = threading.Thread(target=run_import)
        importer.start()
        wait_until_blocked_or_done(importer, what="the import")
    importer.join(timeout=60)

    assert outcome["import"].updated == 1
    stored = Customer.objects.get(pk=anna.pk)
    assert (stored.phone, stored.notes) == ("0622222222", "Zoon begint in september op school.")
