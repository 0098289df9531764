"""Participant.email_key: variants of one address are one participant (issue 12 finding 3).

Existing rows get their key; when existing participants already share one (variants created
before this rule), the oldest keeps it and the others keep none, so they are left as they were
and never match a new sign-in."""

from django.db import migrations, models


def fill_keys(apps, schema_editor):
    from insyn.dialogue.addresses import email_key

    Participant = apps.get_model("dialogue", "Participant")
    taken = set()
    for participant in Participant.objects.exclude(email="").order_by("pk").iterator():
        key = email_key(participant.email)
        if key in taken:
            continue
        taken.add(key)
        Participant.objects.filter(pk=participant.pk).update(email_key=key)


class Migration(migrations.Migration):
    dependencies = [
        ("dialogue", "0007_proposal_moderation"),
        ("organisations", "0004_municipality_parent_company"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="email_key",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="participant",
            constraint=models.UniqueConstraint(
                condition=models.Q(("email_key", ""), _negated=True),
                fields=("email_key",),
                name="unique_participant_email_key",
            ),
        ),
    ]
