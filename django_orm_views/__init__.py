"""PostgreSQL views declared as Django classes, synced into an analytics schema."""

from django_orm_views.redaction import Redact
from django_orm_views.views import PostgresView, PostgresViewFromQueryset, PostgresViewFromSQL

__version__ = "0.1.0.dev0"

__all__ = [
    "PostgresView",
    "PostgresViewFromQueryset",
    "PostgresViewFromSQL",
    "Redact",
    "__version__",
]
