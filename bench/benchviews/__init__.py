"""A Django app whose ``postgres_views`` module declares the benchmark's views.

The views are generated from environment variables set by
``bench/sync_views_bench.py``, so the parent process and every
``manage.py sync_views`` it starts declare exactly the same classes.
"""
