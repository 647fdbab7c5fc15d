"""On SQLite the full-text rows go with their document however it is deleted (a cascade, a
bulk delete, a test database's flush), so no deleted record's text stays in the FTS table."""

from django.db import migrations

TRIGGER = "core_searchdocument_fts_delete"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL keeps its vector on the document's own row
    schema_editor.execute(
        "DELETE FROM core_search_fts WHERE rowid NOT IN (SELECT id FROM core_searchdocument)"
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TRIGGER} AFTER DELETE ON core_searchdocument "
        "BEGIN DELETE FROM core_search_fts WHERE rowid = old.id; END"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("core", "0005_jobs")]
    operations = [migrations.RunPython(create, drop)]
