"""The full-text index: an FTS5 table on SQLite, a GIN index on PostgreSQL."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX core_searchdocument_vector_gin ON core_searchdocument USING gin (vector)"
        )
    elif schema_editor.connection.vendor == "sqlite":
        # Porter stemming so that "recycle" finds "recycling", as PostgreSQL's english config does.
        schema_editor.execute(
            "CREATE VIRTUAL TABLE core_search_fts USING fts5("
            "title, body, tokenize='porter unicode61 remove_diacritics 2')"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS core_searchdocument_vector_gin")
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS core_search_fts")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(create, drop)]
