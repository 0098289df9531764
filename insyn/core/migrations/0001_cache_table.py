"""Create the database cache table when the database cache backend is configured.

The embedded default shares rate-limit counters between app processes through this table;
with REDIS_URL set (or in tests) the command does nothing.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
