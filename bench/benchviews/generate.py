"""The benchmark's views and the small tables they read, generated from a count.

Each view is a ``PostgresViewFromSQL`` with a docstring, reading tables in
``<schema>_base``. One in ten reads another benchmark view by its qualified
name, and is declared *before* the view it reads, so sync has to order them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django_orm_views import PostgresViewFromSQL

#: Every view whose index ends in this digit reads another benchmark view.
DEPENDENT_DIGIT = 5
#: ... namely the view two places later, which always uses the "orders" template.
READ_DIGIT = 7


@dataclass(frozen=True)
class ViewSpec:
    """One generated view: its class name, view name, docstring and SQL."""

    class_name: str
    name: str
    doc: str
    sql: str
    reads: int | None  # index of the benchmark view it reads, if any


def base_schema(schema: str) -> str:
    """Schema of the tables the views read."""
    return f"{schema}_base"


def base_tables_sql(schema: str) -> str:
    """DDL and a little data for the tables the views read."""
    base = base_schema(schema)
    return f"""
        CREATE SCHEMA {base};
        CREATE TABLE {base}.customers (
            id bigint PRIMARY KEY, email varchar(254) NOT NULL, full_name text NOT NULL,
            country char(2) NOT NULL, created_at timestamptz NOT NULL
        );
        CREATE TABLE {base}.products (
            id bigint PRIMARY KEY, sku text NOT NULL, name text NOT NULL, price numeric(10, 2)
        );
        CREATE TABLE {base}.orders (
            id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES {base}.customers,
            status text NOT NULL, amount numeric(12, 2) NOT NULL, created_at timestamptz NOT NULL
        );
        CREATE TABLE {base}.order_lines (
            order_id bigint NOT NULL REFERENCES {base}.orders,
            product_id bigint NOT NULL REFERENCES {base}.products,
            quantity integer NOT NULL
        );
        INSERT INTO {base}.customers
            SELECT i, 'user' || i || '@example.com', 'User ' || i,
                   (ARRAY['GB', 'FR', 'DE', 'US'])[i % 4 + 1], now() - i * interval '1 day'
            FROM generate_series(1, 200) i;
        INSERT INTO {base}.products
            SELECT i, 'SKU-' || i, 'Product ' || i, (i * 1.5)::numeric(10, 2)
            FROM generate_series(1, 50) i;
        INSERT INTO {base}.orders
            SELECT i, i % 200 + 1, (ARRAY['paid', 'open', 'refunded'])[i % 3 + 1],
                   (i % 97) * 3.25, now() - i * interval '3 hours'
            FROM generate_series(1, 1000) i;
        INSERT INTO {base}.order_lines
            SELECT i % 1000 + 1, i % 50 + 1, i % 5 + 1 FROM generate_series(1, 3000) i;
    """


def _class_name(index: int) -> str:
    return f"BenchView{index:04d}"


def _view_name(index: int) -> str:
    # the default name: snake_case of the class name
    return f"bench_view{index:04d}"


def _read_target(index: int, count: int) -> int | None:
    """The view a dependent view reads: the next "orders" view, else the previous one."""
    if index % 10 != DEPENDENT_DIGIT:
        return None
    later = index + (READ_DIGIT - DEPENDENT_DIGIT)
    if later < count:
        return later
    earlier = later - 10
    return earlier if earlier >= 0 else None


def _body(index: int, schema: str, count: int) -> tuple[str, str, int | None]:
    """(summary for the docstring, SQL, index read) of view ``index``."""
    base = base_schema(schema)
    target = _read_target(index, count)
    if target is not None:
        return (
            f"Paid revenue per country, from {_view_name(target)}",
            f"""
            SELECT v.country, count(*) AS orders, sum(v.amount) AS revenue,
                   min(v.order_date) AS first_order
            FROM {schema}.{_view_name(target)} v
            GROUP BY v.country
            """,
            target,
        )
    variant = 0 if index % 10 == READ_DIGIT else index % 4
    if variant == 0:
        return (
            f"Paid orders of at least {index % 100} with the customer's country",
            f"""
            SELECT o.id, o.customer_id, o.amount, o.created_at::date AS order_date, c.country
            FROM {base}.orders o JOIN {base}.customers c ON c.id = o.customer_id
            WHERE o.status = 'paid' AND o.amount >= {index % 100}
            """,
            None,
        )
    if variant == 1:
        return (
            "Monthly orders and revenue per country",
            f"""
            SELECT c.country, date_trunc('month', o.created_at) AS month,
                   count(*) AS orders, sum(o.amount) AS revenue
            FROM {base}.orders o JOIN {base}.customers c ON c.id = o.customer_id
            WHERE o.status <> 'refunded' AND o.id % {index % 7 + 2} = 0
            GROUP BY 1, 2
            """,
            None,
        )
    if variant == 2:
        return (
            "Units sold per product",
            f"""
            SELECT p.id, p.sku, p.name, p.price, coalesce(sum(l.quantity), 0) AS sold
            FROM {base}.products p LEFT JOIN {base}.order_lines l ON l.product_id = p.id
            WHERE p.id > {index % 25}
            GROUP BY p.id, p.sku, p.name, p.price
            """,
            None,
        )
    return (
        "Customers without direct identifiers",
        f"""
        SELECT c.id, left(c.email, 1) || '***' || substr(c.email, strpos(c.email, '@')) AS email,
               c.country, date_trunc('year', c.created_at) AS joined,
               c.email LIKE '%@example.com' AS internal
        FROM {base}.customers c
        WHERE c.id % {index % 11 + 2} <> 0
        """,
        None,
    )


def view_specs(schema: str, count: int) -> list[ViewSpec]:
    """The ``count`` views, in declaration order."""
    specs = []
    for index in range(count):
        summary, sql, reads = _body(index, schema, count)
        doc = f"""{summary}.

        Benchmark view {index} of {count}, generated by bench/sync_views_bench.py.
        """
        specs.append(ViewSpec(_class_name(index), _view_name(index), doc, sql, reads))
    return specs


def declare_views(schema: str, count: int, module: str) -> list[type[PostgresViewFromSQL]]:
    """Create (and so register) one ``PostgresViewFromSQL`` class per spec."""
    classes = []
    for spec in view_specs(schema, count):
        namespace = {
            "__module__": module,
            "__qualname__": spec.class_name,
            "__doc__": spec.doc,
            "schema": schema,
            "sql": spec.sql,
        }
        classes.append(type(spec.class_name, (PostgresViewFromSQL,), namespace))
    return classes
