"""Back office: administrators edit categories, extra questions, routing, answer
templates and themes, and issue Open311 API keys (the key is shown once, only a hash is kept).
A readable overview for the contact centre is at /personal/arenden/fordelning/."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from insyn.feedback import services
from insyn.feedback.models import (
    AnswerTemplate,
    Case,
    Category,
    CategoryQuestion,
    Open311ApiKey,
    RoutingRule,
    Theme,
)


class QuestionInline(admin.TabularInline):
    model = CategoryQuestion
    extra = 0


class RoutingInline(admin.TabularInline):
    model = RoutingRule
    extra = 0


@admin.register(Category)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "group", "fault_reports", "feedback", "target_days", "active"]
    list_filter = ["fault_reports", "feedback", "active", "group"]
    search_fields = ["name", "code", "keywords"]
    inlines = [QuestionInline, RoutingInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(SimpleHistoryAdmin):
    list_display = ["category", "area", "organisation", "forward"]
    list_filter = ["forward", "category", "area"]


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["title", "status", "active"]
    list_filter = ["active", "status"]


@admin.register(Theme)
class ThemeAdmin(SimpleHistoryAdmin):
    list_display = ["title", "goal", "assignment", "created_at"]
    search_fields = ["title"]
    raw_id_fields = ["goal", "assignment"]


@admin.register(Open311ApiKey)
class Open311ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "organisation",
        "active",
        "rate_per_minute",
        "created_at",
        "last_used_at",
    ]
    list_filter = ["active"]
    fields = [
        "name",
        "organisation",
        "rate_per_minute",
        "active",
        "prefix",
        "created_at",
        "last_used_at",
    ]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def save_model(self, request: HttpRequest, obj: Open311ApiKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        key, raw = services.issue_api_key(
            name=obj.name,
            organisation=obj.organisation,
            rate_per_minute=obj.rate_per_minute,
            by=request.user,
        )
        obj.pk = key.pk
        obj.key_hash, obj.prefix, obj.created_at = key.key_hash, key.prefix, key.created_at
        obj._state.adding = False
        messages.warning(
            request,
            _("Ny Open311-nyckel (visas bara nu, spara den säkert): %(key)s") % {"key": raw},
        )


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    """Read-mostly: the contact centre works in /personal/arenden/, this is for audits."""

    list_display = ["number", "kind", "category", "status", "organisation", "created_at"]
    list_filter = ["status", "kind", "public_state", "source"]
    search_fields = ["number"]
    list_select_related = ["category", "organisation"]
    raw_id_fields = [
        "category",
        "area",
        "organisation",
        "merged_into",
        "goal",
        "assignment",
        "theme",
        "created_by",
        "api_key",
    ]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
