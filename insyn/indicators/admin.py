from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from insyn.indicators.models import (
    Area,
    BudgetLine,
    BudgetUpload,
    ImportRun,
    Indicator,
    IndicatorLink,
    IndicatorTarget,
    Kpi,
    PeerGroup,
    Value,
    ValueRevision,
)


class TargetInline(admin.TabularInline):
    model = IndicatorTarget
    extra = 0


class LinkInline(admin.TabularInline):
    model = IndicatorLink
    extra = 0
    raw_id_fields = ["goal", "assignment"]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kpi", "direction", "is_published"]
    list_filter = ["is_published", "direction", "kpi__source"]
    search_fields = ["title", "kpi__id", "kpi__title"]
    raw_id_fields = ["kpi"]
    inlines = [TargetInline, LinkInline]


@admin.register(IndicatorLink)
class IndicatorLinkAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "goal", "assignment"]
    raw_id_fields = ["indicator", "goal", "assignment"]


@admin.register(Kpi)
class KpiAdmin(SimpleHistoryAdmin):
    list_display = ["id", "title", "source", "is_divided_by_gender", "publ_period"]
    list_filter = ["source", "is_divided_by_gender"]
    search_fields = ["id", "title"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "type"]
    list_filter = ["type"]
    search_fields = ["id", "title"]


@admin.register(PeerGroup)
class PeerGroupAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "kolada_id", "show_on_pages", "order"]
    list_filter = ["kind", "show_on_pages"]
    filter_horizontal = ["members"]


@admin.register(Value)
class ValueAdmin(admin.ModelAdmin):
    list_display = ["kpi", "area", "period", "gender", "value", "count", "fetched_at"]
    list_filter = ["gender", "period"]
    search_fields = ["kpi__id", "area__id", "area__title"]
    raw_id_fields = ["kpi", "area", "run"]
    list_select_related = ["kpi", "area"]


@admin.register(ValueRevision)
class ValueRevisionAdmin(admin.ModelAdmin):
    list_display = ["kpi", "area", "period", "gender", "value", "change", "replaced_at"]
    list_filter = ["change"]
    search_fields = ["kpi__id", "area__id"]
    raw_id_fields = ["kpi", "area", "replaced_by"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "succeeded", "description", "created", "changed", "deleted"]
    list_filter = ["succeeded"]

    def has_change_permission(self, request, obj=None):
        return False


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0
    raw_id_fields = ["organisation"]


@admin.register(BudgetUpload)
class BudgetUploadAdmin(SimpleHistoryAdmin):
    list_display = ["year", "state", "file_name", "uploaded_at", "published_at"]
    list_filter = ["state", "year"]
    inlines = [BudgetLineInline]
