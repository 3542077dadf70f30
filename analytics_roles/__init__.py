"""Analyst roles for django-orm-views: provisioning and access reports (commands to come)."""
