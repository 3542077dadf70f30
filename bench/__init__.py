"""Benchmarks of django-orm-views (not shipped; run from the repository root)."""
