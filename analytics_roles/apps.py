"""Django glue for analytics_roles."""

from django.apps import AppConfig


class AnalyticsRolesConfig(AppConfig):
    name = "analytics_roles"
    verbose_name = "Analytics roles"

    def ready(self) -> None:
        from analytics_roles import checks  # noqa: F401  (registers the checks)
