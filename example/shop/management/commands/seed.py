"""``manage.py seed``: fill an empty shop with reproducible, realistic data."""

from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from factory.random import randgen, reseed_random

from shop.factories import AddressFactory, CustomerFactory, OrderFactory, ProductFactory, add_lines
from shop.models import Address, Customer, Order, OrderLine, Product

SEED = 20250630

CATALOGUE = [
    ("Ceramic pour-over coffee dripper", "24.00"),
    ("Stoneware mug, 350 ml", "12.50"),
    ("Single-origin beans, Ethiopia, 1 kg", "31.90"),
    ("Burr grinder", "89.00"),
    ("Gooseneck kettle", "54.95"),
    ("Paper filters, pack of 100", "4.80"),
    ("Loose-leaf green tea, 250 g", "14.20"),
    ("Glass teapot with infuser", "27.50"),
    ("Digital kitchen scale", "19.99"),
    ("Barista apron", "35.00"),
    ("Cold brew jar", "22.40"),
    ("Gift card", "50.00"),
]


class Command(BaseCommand):
    help = (
        "Fill the shop with realistic-looking, deterministic data. "
        "Does nothing when the shop already has data, so it is safe to re-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--customers", type=int, default=200, help="How many customers (default 200)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["customers"]
        using = DEFAULT_DB_ALIAS  # where factory-boy saves
        if count < 0:
            raise CommandError("--customers must be zero or more.")

        with transaction.atomic(using=using):
            # Two seeds started together must not both see an empty shop.
            with connections[using].cursor() as cursor:
                table = connections[using].ops.quote_name(Customer._meta.db_table)
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            models = (Customer, Address, Product, Order, OrderLine)
            if any(model.objects.using(using).exists() for model in models):
                if options["verbosity"] >= 1:
                    self.stdout.write("The shop already has data: not seeding.")
                return
            self._seed(count)

        if options["verbosity"] >= 1:
            summary = ", ".join(
                f"{model.objects.using(using).count()} {model._meta.verbose_name_plural}"
                for model in models
            )
            self.stdout.write(self.style.SUCCESS(f"Seeded the shop: {summary}."))

    def _seed(self, count: int) -> None:
        reseed_random(SEED)
        products = [
            ProductFactory.create(name=name, price=Decimal(price)) for name, price in CATALOGUE
        ]
        for customer in CustomerFactory.create_batch(count):
            AddressFactory.create_batch(
                randgen.choices([1, 2], weights=[80, 20])[0], customer=customer
            )
            for _ in range(randgen.choices(range(7), weights=[15, 30, 20, 15, 10, 6, 4])[0]):
                add_lines(OrderFactory.create(customer=customer), products)
