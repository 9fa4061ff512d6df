"""The export keeps the promise a complaint is about, and the restore links the new rows."""

from klantvriend.complaints.models import Complaint
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.services import business_create
from klantvriend.importers.export import business_export, business_restore


def test_the_export_keeps_the_promise_and_the_restore_links_the_new_rows(
    business, owner, mehmet, car_ready, tmp_path
):
    ComplaintFactory(customer=mehmet, promise=car_ready, description="Auto niet klaar")
    archive = tmp_path / "garage.zip"
    with archive.open("wb") as out:
        business_export(business=business, out=out)
    copy = business_create(name="Garage kopie", owner=owner)

    business_restore(business=copy, path=archive)

    restored = Complaint.objects.get(business=copy)
    assert restored.promise.description == "Auto klaar"
    assert restored.promise.business == copy
    assert restored.promise.customer == restored.customer
    assert restored.promise_id != car_ready.pk
