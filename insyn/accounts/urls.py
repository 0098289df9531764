from django.conf import settings
from django.urls import include, path

from insyn.accounts import views

app_name = "accounts"

urlpatterns = [
    path("logga-in/", views.login, name="login"),
    path("logga-ut/", views.logout, name="logout"),
    path("losenord/", views.password_change, name="password_change"),
    path("losenord/klart/", views.password_change_done, name="password_change_done"),
    path("tvastegsverifiering/ny/", views.otp_setup, name="otp_setup"),
    path("tvastegsverifiering/", views.otp_verify, name="otp_verify"),
]

if getattr(settings, "OIDC_ENABLED", False):  # pragma: no cover - configured in production
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
