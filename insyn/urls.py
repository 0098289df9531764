"""URL map. Public pages are Swedish paths at the root; staff pages live under /personal/
(every view there requires a role: see insyn.accounts.permissions and the authorization matrix
test, which walks this configuration)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from django.views.static import serve as serve_media

from insyn.core import views as core_views

urlpatterns = [
    path("admin/", admin.site.urls),
    # The language switch is in every page's header: without a CSRF token there, public pages
    # set no cookie and can be served from the public cache. Forcing someone's language is harmless.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("health/", core_views.health, name="health"),
    path("health/ready/", core_views.ready, name="health-ready"),
    path("epost/<str:token>/", core_views.notice_settings, name="notice_settings"),
    path("api/", include("insyn.opendata.urls")),
    path("andringar/", include("insyn.opendata.changes_urls")),
    path("konto/", include("insyn.accounts.urls")),
    path("personal/", include("insyn.accounts.staff_urls")),
    path("personal/uppfoljning/", include("insyn.goals.staff_urls")),
    path("export/", include("insyn.goals.export_urls")),
    path("personal/indikatorer/", include("insyn.indicators.staff_urls")),
    path("personal/dialog/", include("insyn.dialogue.staff_urls")),
    path("personal/arenden/", include("insyn.feedback.staff_urls")),
    path("indikatorer/", include("insyn.indicators.urls")),
    path("dialog/", include("insyn.dialogue.urls")),
    path("synpunkter/", include("insyn.feedback.urls")),
    path("open311/", include("insyn.feedback.open311.urls")),
    path("", include("insyn.public.urls")),
]

# Error pages in the site's design, Swedish or English (insyn.core.views).
handler400 = "insyn.core.views.bad_request"
handler403 = "insyn.core.views.permission_denied"
handler404 = "insyn.core.views.page_not_found"
handler500 = "insyn.core.views.server_error"

if settings.DEBUG:
    urlpatterns.append(
        path("media/<path:path>", serve_media, {"document_root": settings.MEDIA_ROOT})
    )
