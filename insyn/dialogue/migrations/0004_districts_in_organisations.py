"""Point every district link at insyn.organisations.District (ids kept by 0002) and drop
dialogue's own table. The dialogues' M2M table is rebuilt (Django cannot retarget an M2M in
place): its rows are kept aside and put back with the same ids."""

import django.db.models.deletion
from django.db import migrations, models


_kept: list[tuple[int, int]] = []


def stash_dialogue_districts(apps, schema_editor):
    Dialogue = apps.get_model("dialogue", "Dialogue")
    _kept[:] = list(Dialogue.districts.through.objects.values_list("dialogue_id", "district_id"))


def restore_dialogue_districts(apps, schema_editor):
    Dialogue = apps.get_model("dialogue", "Dialogue")
    Through = Dialogue.districts.through
    Through.objects.bulk_create(Through(dialogue_id=a, district_id=b) for a, b in _kept)
    _kept.clear()


class Migration(migrations.Migration):

    dependencies = [
        ('dialogue', '0003_copy_districts'),
        ('organisations', '0002_districts'),
    ]

    operations = [
        migrations.AlterField(
            model_name='offlineinput',
            name='district',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='organisations.district', verbose_name='område'),
        ),
        migrations.AlterField(
            model_name='outreach',
            name='district',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='organisations.district', verbose_name='område'),
        ),
        migrations.AlterField(
            model_name='historicaloutreach',
            name='district',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organisations.district', verbose_name='område'),
        ),
        migrations.AlterField(
            model_name='post',
            name='district',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='organisations.district', verbose_name='område'),
        ),
        migrations.AlterField(
            model_name='proposal',
            name='district',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='organisations.district', verbose_name='område'),
        ),
        migrations.AlterField(
            model_name='historicalproposal',
            name='district',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organisations.district', verbose_name='område'),
        ),
        migrations.AlterField(
            model_name='registration',
            name='district',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='organisations.district', verbose_name='område'),
        ),
        migrations.AlterField(
            model_name='populationfigure',
            name='district',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='population', to='organisations.district'),
        ),
        migrations.AlterField(
            model_name='participant',
            name='district',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='organisations.district', verbose_name='område'),
        ),
        migrations.AlterField(
            model_name='historicaldialogue_districts',
            name='district',
            field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organisations.district'),
        ),
        migrations.AlterField(
            model_name='surveyresponse',
            name='district',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='organisations.district', verbose_name='område'),
        ),
        migrations.AlterField(
            model_name='ballot',
            name='district',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='organisations.district'),
        ),
        migrations.AlterField(
            model_name='historicalpost',
            name='district',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organisations.district', verbose_name='område'),
        ),
        migrations.RunPython(stash_dialogue_districts, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='dialogue',
            name='districts',
        ),
        migrations.AddField(
            model_name='dialogue',
            name='districts',
            field=models.ManyToManyField(blank=True, related_name='dialogues', to='organisations.district', verbose_name='områden'),
        ),
        migrations.RunPython(restore_dialogue_districts, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='District',
        ),
    ]
