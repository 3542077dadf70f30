"""Django glue: discover views at start-up and register system checks."""

from django.apps import AppConfig


class DjangoOrmViewsConfig(AppConfig):
    name = "django_orm_views"
    verbose_name = "Django ORM views"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_orm_views import checks  # noqa: F401  (registers the checks)
        from django_orm_views.registry import autodiscover

        autodiscover()
