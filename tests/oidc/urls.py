"""Insyn's URLs as a deployment with staff single sign-on has them (insyn.accounts.urls adds
mozilla-django-oidc's views under /konto/oidc/ only when OIDC_RP_CLIENT_ID is set when the
settings load, which a test cannot do)."""

from django.urls import URLResolver, include, path

from insyn import urls as insyn_urls
from insyn.accounts import urls as accounts_urls

accounts_with_sso = [
    *accounts_urls.urlpatterns,
    path("oidc/", include("mozilla_django_oidc.urls")),
]


def _swap(pattern):
    if isinstance(pattern, URLResolver) and str(pattern.pattern) == "konto/":
        return path("konto/", include((accounts_with_sso, "accounts")))
    return pattern


urlpatterns = [_swap(p) for p in insyn_urls.urlpatterns]
handler400 = getattr(insyn_urls, "handler400", None)
handler403 = getattr(insyn_urls, "handler403", None)
handler404 = getattr(insyn_urls, "handler404", None)
handler500 = getattr(insyn_urls, "handler500", None)
