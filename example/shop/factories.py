"""factory-boy factories that fill the shop with realistic-looking personal data.

Names, phone numbers and addresses match the customer's country (a Faker
locale per country). Call ``factory.random.reseed_random(seed)`` first for
reproducible data: factory-boy and every Faker locale share that random state.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.text import slugify
from factory.declarations import LazyAttribute, LazyFunction, SelfAttribute, Sequence, SubFactory
from factory.django import DjangoModelFactory
from factory.faker import Faker as FakerValue
from factory.random import randgen
from faker import Faker
from faker.providers.address.it_IT import Provider as ItalianAddresses

from shop.models import Address, Customer, Order, OrderLine, Product

# Customers signed up and ordered within this window: fixed, so a seed gives
# the same data whatever day it runs.
SHOP_OPENED = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
DATA_UNTIL = dt.datetime(2025, 6, 30, 23, 59, 59, tzinfo=dt.UTC)

COUNTRY_LOCALES = {
    "GB": "en_GB",
    "US": "en_US",
    "DE": "de_DE",
    "FR": "fr_FR",
    "IE": "en_IE",
    "ES": "es_ES",
    "IT": "it_IT",
    "NL": "nl_NL",
    "CA": "en_CA",
    "AU": "en_AU",
}
COUNTRY_WEIGHTS = [30, 18, 12, 10, 6, 6, 6, 5, 4, 3]

ORDER_STATUSES = [status.value for status in Order.Status]
ORDER_STATUS_WEIGHTS = [5, 45, 35, 10, 5]

# One Faker per country. They all draw from Faker's shared random state, which
# factory.random.reseed_random() seeds.
_FAKERS = {country: Faker(locale) for country, locale in COUNTRY_LOCALES.items()}


def localized(country: str) -> Faker:
    """The Faker for a customer's country."""
    return _FAKERS[country]


def random_country() -> str:
    return randgen.choices(list(COUNTRY_LOCALES), weights=COUNTRY_WEIGHTS)[0]


def random_status() -> str:
    return randgen.choices(ORDER_STATUSES, weights=ORDER_STATUS_WEIGHTS)[0]


def email_for(first_name: str, last_name: str, country: str) -> str:
    """``jose.garcia@example.org``-style address built from the person's name."""
    local = slugify(f"{first_name} {last_name}").replace("-", ".") or "customer"
    if randgen.random() < 0.35:
        local += str(randgen.randint(1, 99))
    return f"{local}@{localized(country).free_email_domain()}"


def postcode_and_city(country: str) -> tuple[str, str]:
    """A postcode and a city of ``country``."""
    generator = localized(country)
    if country == "IT":
        # Faker's it_IT city() draws from a list built from a set, so the city a
        # seed gives changes with PYTHONHASHSEED. Draw from the (ordered)
        # postcode table instead, which also makes postcode and city agree.
        postcode = generator.postcode()
        city, _province = generator.random_element(ItalianAddresses.cap_city_province[postcode])
        return postcode, city
    return generator.postcode(), generator.city()


def moment_between(start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A random moment in ``[start, end]``, to the second."""
    seconds = int((end - start).total_seconds())
    return start + dt.timedelta(seconds=randgen.randint(0, max(seconds, 0)))


class CustomerFactory(DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    class Params:
        first_name = LazyAttribute(lambda o: localized(o.country).first_name())
        last_name = LazyAttribute(lambda o: localized(o.country).last_name())

    country = LazyFunction(random_country)
    full_name = LazyAttribute(lambda o: f"{o.first_name} {o.last_name}")
    email = LazyAttribute(lambda o: email_for(o.first_name, o.last_name, o.country))
    phone = LazyAttribute(lambda o: localized(o.country).phone_number())
    date_of_birth = FakerValue(
        "date_between_dates", date_start=dt.date(1945, 1, 1), date_end=dt.date(2006, 12, 31)
    )
    created_at = LazyFunction(lambda: moment_between(SHOP_OPENED, DATA_UNTIL))


class AddressFactory(DjangoModelFactory[Address]):
    class Meta:
        model = Address

    class Params:
        place = LazyAttribute(lambda o: postcode_and_city(o.country))

    customer = SubFactory(CustomerFactory)
    country = SelfAttribute("customer.country")
    line1 = LazyAttribute(lambda o: localized(o.country).street_address().replace("\n", ", "))
    postcode = LazyAttribute(lambda o: o.place[0])
    city = LazyAttribute(lambda o: o.place[1])


class ProductFactory(DjangoModelFactory[Product]):
    class Meta:
        model = Product
        django_get_or_create = ("name",)

    name = Sequence(lambda n: f"Product {n + 1}")
    price = LazyFunction(lambda: Decimal(randgen.randint(199, 14999)) / 100)


class OrderFactory(DjangoModelFactory[Order]):
    """An order without lines; ``add_lines`` gives it some and sets ``total``."""

    class Meta:
        model = Order

    customer = SubFactory(CustomerFactory)
    created_at = LazyAttribute(lambda o: moment_between(o.customer.created_at, DATA_UNTIL))
    status = LazyFunction(random_status)
    total = Decimal("0.00")


class OrderLineFactory(DjangoModelFactory[OrderLine]):
    class Meta:
        model = OrderLine

    order = SubFactory(OrderFactory)
    product = SubFactory(ProductFactory)
    quantity = LazyFunction(lambda: randgen.choices([1, 2, 3, 5], weights=[70, 20, 7, 3])[0])
    unit_price = SelfAttribute("product.price")


def add_lines(order: Order, products: list[Product], **kwargs: Any) -> list[OrderLine]:
    """Give ``order`` one to four lines from ``products`` and store its total."""
    picks = randgen.sample(products, k=randgen.randint(1, min(4, len(products))))
    lines: list[OrderLine] = [
        OrderLineFactory.create(order=order, product=p, **kwargs) for p in picks
    ]
    order.total = sum((line.quantity * line.unit_price for line in lines), Decimal("0.00"))
    order.save(update_fields=["total"])
    return lines
