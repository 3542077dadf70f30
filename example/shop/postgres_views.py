"""The analytics schema of the example shop.

``python example/manage.py sync_views --schema analytics`` makes the
database match these classes. Analysts (the ``analyst`` and ``finance``
roles from ``ANALYTICS_ROLES``) read these views and nothing else.
"""

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from django_orm_views import PostgresViewFromQueryset, PostgresViewFromSQL, Redact
from shop.models import Customer, Order


class Customers(PostgresViewFromQueryset):
    """Customers without direct identifiers: hashed id, masked email and phone, no name,
    birth year only."""

    grant_to = ["analyst"]
    redact = {
        "id": Redact.hash(),  # keyed hash: still joins with paid_orders.customer_id
        "email": Redact.email(),  # ada.lovelace@example.org -> a***@example.org
        "full_name": Redact.null(),
        "phone": Redact.partial(keep_start=3),
        "date_of_birth": Redact.truncate("year"),
    }

    def get_queryset(self) -> QuerySet[Customer, Any]:
        return Customer.objects.values(
            "id", "email", "full_name", "phone", "date_of_birth", "country", "created_at"
        )


class PaidOrders(PostgresViewFromQueryset):
    """Paid orders since 2024, by hashed customer id, with the order day but not the time."""

    grant_to = ["analyst", "finance"]
    redact = {
        "customer_id": Redact.hash(),
        "created_at": Redact.truncate("day"),
    }

    def get_queryset(self) -> QuerySet[Order, Any]:
        # Both values are bound as query parameters, never pasted into the SQL.
        return Order.objects.filter(
            status=Order.Status.PAID,
            created_at__gte=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        ).values("id", "customer_id", "created_at", "total")


class OrdersPerCountry(PostgresViewFromSQL):
    """Orders and revenue per customer country, cancelled and refunded orders excluded."""

    grant_to = ["analyst", "finance"]
    sql = """
        SELECT c.country,
               count(*) AS orders,
               sum(o.total) AS revenue
        FROM shop_order o
        JOIN shop_customer c ON c.id = o.customer_id
        WHERE o.status NOT IN ('cancelled', 'refunded')
        GROUP BY c.country
    """


class TopCountries(PostgresViewFromSQL):
    """The five countries with the most revenue, with their share of the total in percent.

    Built on analytics.orders_per_country, so sync creates that view first.
    """

    grant_to = ["finance"]
    sql = """
        SELECT country,
               revenue,
               round(100 * revenue / sum(revenue) OVER (), 1) AS revenue_pct
        FROM analytics.orders_per_country
        ORDER BY revenue DESC, country
        LIMIT 5
    """
