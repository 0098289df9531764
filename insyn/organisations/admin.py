"""Back office for districts; their shapes are loaded with `insyn import-areas FILE`."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from insyn.organisations.models import District


@admin.register(District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "code", "approximate", "order"]
    list_filter = ["kind", "approximate"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "code"]
    readonly_fields = ["min_lat", "max_lat", "min_long", "max_long"]
