from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_safe

from insyn.accounts.models import Membership

User = get_user_model()

# The admin's own login form would bypass login throttling: use /konto/logga-in/ instead. It
# refuses POST even when signed in (else any account could guess others' passwords there).
admin.site.login = login_required(require_safe(admin.site.login))


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    raw_id_fields = ["organisation"]
    fields = ["role", "organisation", "source"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organisation", "source"]
    list_filter = ["role", "source"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    raw_id_fields = ["user", "organisation"]


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class InsynUserAdmin(UserAdmin):
    inlines = [MembershipInline]
