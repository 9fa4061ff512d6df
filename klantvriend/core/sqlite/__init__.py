"""The project's SQLite database backend (ENGINE "klantvriend.core.sqlite"): Django's own, with a
schema editor that keeps the triggers of a table it rebuilds (schema.py). PostgreSQL uses
Django's backend as it is."""
