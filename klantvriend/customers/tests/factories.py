import factory
from django.utils import timezone

from klantvriend.customers.models import (
    ContactKind,
    ContactMoment,
    Customer,
    DistinctPair,
    ErasedIdentity,
    IdentifierKind,
    ImportantDate,
    LegalBasis,
    PrivacyRequest,
    PrivacyRequestChannel,
    PrivacyRequestKind,
    Purchase,
    Tag,
)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Klant {n}")

    class Params:
        # Agreed to e-mail from the shop (the soft opt-in for an existing customer): survey
        # invitations are e-mailed to them (surveys.services.may_email). Give an `email`.
        emailable = factory.Trait(
            marketing_consent=True, marketing_consent_basis=LegalBasis.SOFT_OPT_IN
        )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        customer = model_class(*args, **kwargs)
        customer.refresh_derived_fields()
        customer.save()
        return customer


def customers_bulk_create(*, business, names: list[str]) -> list[Customer]:
    """Customers of these names written in one statement, as the importers and the demo write
    many (with their derived fields; the database's triggers count them)."""
    customers = [Customer(business=business, name=name) for name in names]
    for customer in customers:
        customer.refresh_derived_fields()
    return Customer.objects.bulk_create(customers)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Label {n}")


class PurchaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Purchase

    customer = factory.SubFactory(CustomerFactory)
    business = factory.SelfAttribute("customer.business")
    amount_cents = 1250
    at = factory.LazyFunction(timezone.now)


class ContactMomentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactMoment

    customer = factory.SubFactory(CustomerFactory)
    business = factory.SelfAttribute("customer.business")
    kind = ContactKind.CALL
    summary = "Gebeld over de bestelling"
    at = factory.LazyFunction(timezone.now)


class ImportantDateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportantDate

    customer = factory.SubFactory(CustomerFactory)
    business = factory.SelfAttribute("customer.business")
    # One customer's important dates differ (important_date_unique): each its own "what".
    label = factory.Sequence(lambda number: f"Jubileum {number}")
    date = factory.LazyFunction(timezone.localdate)


class ErasedIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ErasedIdentity

    customer = factory.SubFactory(CustomerFactory)
    business = factory.SelfAttribute("customer.business")
    kind = IdentifierKind.EMAIL
    salt = "0" * 32
    digest = factory.Sequence(lambda n: f"{n:064x}")


class PrivacyRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrivacyRequest

    customer = factory.SubFactory(CustomerFactory)
    business = factory.SelfAttribute("customer.business")
    kind = PrivacyRequestKind.ACCESS
    received_on = factory.LazyFunction(timezone.localdate)
    channel = PrivacyRequestChannel.PHONE
    note = "Belde over haar gegevens"


class DistinctPairFactory(factory.django.DjangoModelFactory):
    """Two customers of `business` marked as not the same person."""

    class Meta:
        model = DistinctPair

    @classmethod
    def _create(cls, model_class, *args, business, **kwargs):
        first = kwargs.pop("first", None) or CustomerFactory(business=business)
        second = kwargs.pop("second", None) or CustomerFactory(business=business)
        first, second = sorted((first, second), key=lambda customer: customer.pk)
        return model_class.objects.create(business=business, first=first, second=second, **kwargs)
