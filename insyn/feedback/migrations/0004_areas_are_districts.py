"""Case and routing-rule areas get their foreign key constraint to organisations.District back;
feedback's own Area table goes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('feedback', '0003_area_rows_to_districts'),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='area',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='cases', to='organisations.district', verbose_name='område'),
        ),
        migrations.AlterField(
            model_name='routingrule',
            name='area',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='routing_rules', to='organisations.district', verbose_name='område'),
        ),
        migrations.RemoveField(
            model_name='historicalarea',
            name='history_user',
        ),
        migrations.DeleteModel(
            name='Area',
        ),
        migrations.DeleteModel(
            name='HistoricalArea',
        ),
    ]
