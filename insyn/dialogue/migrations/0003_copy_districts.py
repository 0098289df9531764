"""Copy dialogue's districts into the one district model (insyn.organisations.District),
keeping their ids so that every link to them (participants, population, dialogues, history)
stays valid when 0003 points the foreign keys at the new table."""

from django.core.management.color import no_style
from django.db import migrations
from django.utils.text import slugify


def copy_districts(apps, schema_editor):
    Old = apps.get_model("dialogue", "District")
    New = apps.get_model("organisations", "District")
    taken = set(New.objects.values_list("slug", flat=True))
    rows = []
    for old in Old.objects.order_by("pk"):
        base = slugify(old.name)[:190] or "omrade"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        rows.append(New(pk=old.pk, name=old.name, slug=slug, code=old.code, order=old.order))
    New.objects.bulk_create(rows)
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [New]):
            cursor.execute(sql)


def copy_back(apps, schema_editor):
    Old = apps.get_model("dialogue", "District")
    New = apps.get_model("organisations", "District")
    Old.objects.bulk_create(
        Old(pk=d.pk, name=d.name, code=d.code, order=d.order) for d in New.objects.all()
    )
    New.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dialogue", "0002_participatory_budget_rules_and_delivery"),
        ("organisations", "0002_districts"),
    ]

    operations = [migrations.RunPython(copy_districts, copy_back)]
