from django.apps import AppConfig


class ShopConfig(AppConfig):
    """A small web shop whose tables feed the analytics views."""

    name = "shop"
    default_auto_field = "django.db.models.BigAutoField"
