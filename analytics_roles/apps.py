"""Django glue for analytics_roles."""

from django.apps import AppConfig


class AnalyticsRolesConfig(AppConfig):
    name = "analytics_roles"
    verbose_name = "Analytics roles"
