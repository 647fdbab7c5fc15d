"""API keys hold a list of scopes instead of one read/write choice: "read" stays read,
"write" (read and write) becomes read plus every write scope."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import whatworks.organisations.models

WRITE = ["read", "measures:write", "trials:write", "register:write"]


def to_scopes(apps, schema_editor):
    ApiKey = apps.get_model("organisations", "ApiKey")
    ApiKey.objects.filter(scope="write").update(scopes=WRITE)
    ApiKey.objects.exclude(scope="write").update(scopes=["read"])


def to_scope(apps, schema_editor):
    ApiKey = apps.get_model("organisations", "ApiKey")
    for key in ApiKey.objects.all():
        key.scope = "write" if any(s.endswith(":write") for s in key.scopes) else "read"
        key.save(update_fields=["scope"])


class Migration(migrations.Migration):
    dependencies = [("organisations", "0002_local_authority_area")]

    operations = [
        migrations.AddField(
            model_name="apikey",
            name="scopes",
            field=models.JSONField(
                default=whatworks.organisations.models._read_only,
                help_text="What the key may do: a list of scopes, such as read.",
            ),
        ),
        migrations.RunPython(to_scopes, to_scope),
        migrations.RemoveField(model_name="apikey", name="scope"),
        migrations.CreateModel(
            name="ApiIdempotency",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("idempotency_key", models.CharField(max_length=255)),
                (
                    "request_hash",
                    models.CharField(
                        help_text="SHA-256 of method, path and body", max_length=64
                    ),
                ),
                ("status", models.PositiveSmallIntegerField()),
                ("body", models.JSONField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "api_key",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="organisations.apikey",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("api_key", "idempotency_key"),
                        name="one_answer_per_idempotency_key",
                    )
                ],
            },
        ),
    ]
