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


from insyn.organisations.models import (  # noqa: E402
    Municipality,
    Organisation,
    OrganisationAlias,
    OrganisationGroup,
)


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "code"]


class OrganisationAliasInline(admin.TabularInline):
    model = OrganisationAlias
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    """Boards, companies and offices; the whole register is loaded with `insyn load-registry`."""

    list_display = ["name", "kind", "short_name", "active_from", "active_until"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "aliases__alias"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["successor"]
    inlines = [OrganisationAliasInline]


@admin.register(OrganisationGroup)
class OrganisationGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kinds"]
    prepopulated_fields = {"slug": ["name"]}
