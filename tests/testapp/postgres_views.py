"""Views discovered from the test app at start-up (schema ``analytics``)."""

from django_orm_views import PostgresViewFromQueryset, PostgresViewFromSQL
from tests.testapp.models import Customer


class CustomerCountries(PostgresViewFromQueryset):
    """Customers' countries only."""

    def get_queryset(self):
        return Customer.objects.values("id", "country")


class OrdersPerCountry(PostgresViewFromSQL):
    sql = """
        SELECT c.country, count(*) AS orders
        FROM testapp_order o JOIN testapp_customer c ON c.id = o.customer_id
        GROUP BY c.country
    """
