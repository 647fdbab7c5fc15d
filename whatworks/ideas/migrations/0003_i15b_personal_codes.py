from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ideas", "0002_campaign_keys")]

    operations = [
        # Codes made before this were shared by everyone who read them: poster codes.
        migrations.AddField(
            model_name="joincode",
            name="personal",
            field=models.BooleanField(
                default=False,
                help_text="Personal codes can vote; poster codes not.",
                verbose_name="one person's code",
            ),
        ),
        migrations.AlterField(
            model_name="joincode",
            name="personal",
            field=models.BooleanField(
                default=True,
                help_text="Personal codes can vote; poster codes not.",
                verbose_name="one person's code",
            ),
        ),
    ]
