from django.db import models

from klantvriend.core.models import Business
from klantvriend.customers.models import Customer


class CustomerActivity(models.Model):
    """The latest moment and the latest day at which something happened with a customer, as the
    retention rule counts it (privacy.retention_candidates), kept by triggers on every kind of
    record that dates activity and on the customers (migration 0001 here): the rule asked every
    old customer a dozen questions, one per kind of record, to find the few with whom nothing
    happened, and now reads those few from an index.

    `moment` is the latest of the customer's `created_at` and every activity moment of their
    rows (and of a person's changes in the audit trail); `day` the latest of `customer_since`
    and every activity day (a follow-up's planned day), which the rule compares with the
    business's own day. Every customer has a row, made with the customer and taken away when
    they are anonymised, so that the rule's candidates are counted from this index alone. Not
    BusinessOwned: the customer's rows are what it is made of, not rows of the customer to be
    moved on a merge or exported."""

    customer = models.OneToOneField(
        Customer, primary_key=True, on_delete=models.CASCADE, related_name="activity"
    )
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    moment = models.DateTimeField()
    day = models.DateField()

    class Meta:
        indexes = [
            # The rule's candidates: a range of this index, however many customers are active.
            models.Index(fields=["business", "moment", "day"], name="customer_activity_latest")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.moment}, {self.day}"
