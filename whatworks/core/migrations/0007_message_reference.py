"""Each message gets a random reference for the provider (filled in for existing messages)."""

import uuid

from django.db import migrations, models


def fill(apps, schema_editor):
    Message = apps.get_model("core", "Message")
    for pk in Message.objects.values_list("pk", flat=True).iterator():
        Message.objects.filter(pk=pk).update(reference=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("core", "0006_search_fts_follows_documents")]

    operations = [
        migrations.AddField(
            model_name="message", name="reference", field=models.UUIDField(null=True)
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="message",
            name="reference",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
