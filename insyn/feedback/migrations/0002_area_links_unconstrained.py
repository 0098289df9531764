"""Step 1 of 3 moving feedback.Area into insyn.organisations.District: the area columns of
cases and routing rules lose their constraint to feedback_area, so 0003 can rewrite the ids to
districts' ids before 0004 adds the constraint to organisations_district."""

import django.db.models.deletion
from django.db import migrations, models


def _fk(**kwargs):
    return models.ForeignKey(
        blank=True,
        null=True,
        db_constraint=False,
        to="organisations.district",
        verbose_name="område",
        **kwargs,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_cases_routing_open311"),
        ("organisations", "0002_districts"),
        ("dialogue", "0003_copy_districts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="area",
            field=_fk(on_delete=django.db.models.deletion.SET_NULL, related_name="cases"),
        ),
        migrations.AlterField(
            model_name="routingrule",
            name="area",
            field=_fk(on_delete=django.db.models.deletion.CASCADE, related_name="routing_rules"),
        ),
        migrations.AlterField(
            model_name="historicalcase",
            name="area",
            field=_fk(on_delete=django.db.models.deletion.DO_NOTHING, related_name="+"),
        ),
        migrations.AlterField(
            model_name="historicalroutingrule",
            name="area",
            field=_fk(on_delete=django.db.models.deletion.DO_NOTHING, related_name="+"),
        ),
    ]
