"""factory-boy factories for the test app."""

import datetime as dt
from decimal import Decimal

import factory

from tests.testapp.models import Customer, Order


class CustomerFactory(factory.django.DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    full_name = factory.Faker("name")
    email = factory.Faker("email")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=90)
    country = factory.Iterator(["GB", "FR", "DE"])
    created_at = factory.LazyFunction(lambda: dt.datetime(2024, 5, 1, tzinfo=dt.UTC))


class OrderFactory(factory.django.DjangoModelFactory[Order]):
    class Meta:
        model = Order

    customer = factory.SubFactory(CustomerFactory)
    total = factory.Iterator([Decimal("10.00"), Decimal("25.50"), Decimal("99.99")])
    status = "paid"
