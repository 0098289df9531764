from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve as serve_media

from insyn.core import views as core_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", core_views.health, name="health"),
    path("api/", include("insyn.opendata.urls")),
    path("", include("insyn.public.urls")),
]

if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve_media,
                            {"document_root": settings.MEDIA_ROOT}))
