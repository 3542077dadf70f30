"""The example has no web pages: its interface is ``manage.py``."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
