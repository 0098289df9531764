"""Sign-in, sign-out, password change and the administrators' second factor (TOTP)."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.core import get_usage, is_ratelimited

from insyn.accounts.forms import LoginForm, TokenForm
from insyn.accounts.permissions import has_role, login_required_view, public_view, roles_of

# Short windows: enough to stop guessing, never a long lockout of the real user.
LOGIN_RATE_IP = "30/5m"
LOGIN_RATE_USERNAME = "5/5m"
OTP_RATE_USER = "10/5m"
THROTTLED_MESSAGE = _("För många inloggningsförsök. Vänta fem minuter och försök igen.")


def _username_key(group: str, request: HttpRequest) -> str:
    return (request.POST.get("username") or "").strip().lower()[:150]


_LOGIN_LIMITS = (
    ("login-ip", "ip", LOGIN_RATE_IP),
    ("login-username", _username_key, LOGIN_RATE_USERNAME),
)


def login_throttled(request: HttpRequest) -> bool:
    """True when this address or username has used up its failed attempts (counts nothing)."""
    for group, key, rate in _LOGIN_LIMITS:
        usage = get_usage(request, group=group, key=key, rate=rate, method="POST", increment=False)
        if usage is None:
            continue
        if usage["should_limit"] or usage["count"] >= usage["limit"]:
            return True
    return False


def count_failed_login(request: HttpRequest) -> None:
    """Only failed sign-ins count: a person who signs in and out often is never locked out."""
    for group, key, rate in _LOGIN_LIMITS:
        get_usage(request, group=group, key=key, rate=rate, method="POST", increment=True)


def allowed_after_login(user: Any, url: str) -> bool:
    """May this user open `url`? (A `next` the user may not open is ignored after sign-in.)"""
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return False
    roles = getattr(match.func, "insyn_roles", None)
    if roles is None or roles == ():
        return True  # public, or any signed-in user
    return has_role(user, *roles)


def landing_url(user: Any) -> str:
    """Where a signed-in person lands: the staff home, or the start page without a role."""
    return settings.LOGIN_REDIRECT_URL if roles_of(user) else "/"


class InsynLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if login_throttled(request):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, THROTTLED_MESSAGE)
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            response["Retry-After"] = "300"
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        count_failed_login(self.request)
        return super().form_invalid(form)

    def form_valid(self, form):
        from insyn.accounts.staff_views import PREVIOUS_VISIT_KEY

        previous = form.get_user().last_login
        response = super().form_valid(form)
        # A first sign-in has no previous visit ("" – not this sign-in's own time, which would
        # make nothing new).
        self.request.session[PREVIOUS_VISIT_KEY] = previous.isoformat() if previous else ""
        return response

    def get_success_url(self):
        target = self.get_redirect_url()
        user = self.request.user
        if target and allowed_after_login(user, target):
            return target
        return landing_url(user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = getattr(settings, "OIDC_ENABLED", False)
        return context


class InsynPasswordChangeView(auth_views.PasswordChangeView):
    """Guessing the current password from a signed-in session is throttled like the login."""

    def post(self, request, *args, **kwargs):
        if is_ratelimited(
            request,
            group="password-change",
            key="user",
            rate=LOGIN_RATE_USERNAME,
            method="POST",
            increment=True,
        ):
            # Bound to nothing: the required fields fail first, no password is checked.
            form = self.get_form_class()(user=request.user, data={})
            form.errors.clear()
            form.add_error(None, THROTTLED_MESSAGE)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


login = public_view(InsynLoginView.as_view())
logout = public_view(auth_views.LogoutView.as_view(template_name="accounts/logged_out.html"))
password_change = login_required_view(
    InsynPasswordChangeView.as_view(
        template_name="accounts/password_change.html",
        success_url=reverse_lazy("accounts:password_change_done"),
    )
)
password_change_done = login_required_view(
    auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and allowed_after_login(request.user, target)
    ):
        return target
    return landing_url(request.user)


def _otp_throttled(request: HttpRequest) -> bool:
    return is_ratelimited(
        request, group="otp-user", key="user", rate=OTP_RATE_USER, method="POST", increment=True
    )


def _wrong_code_message(device: TOTPDevice) -> str:
    allowed, _data = device.verify_is_allowed()
    if not allowed:
        return _("Koden stämmer inte. Vänta en halv minut och försök sedan med nästa kod.")
    return _("Koden stämmer inte. Kontrollera klockan i telefonen och försök med nästa kod.")


@login_required_view
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: QR code (SVG), the secret as text, and a first code."""
    user = request.user
    if user_has_device(user):
        return redirect(f"{reverse('accounts:otp_verify')}?next={_next_url(request)}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by(
        "pk"
    ).first() or TOTPDevice.objects.create(user=user, name="Insyn", confirmed=False)
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _otp_throttled(request):
            form.add_error(None, THROTTLED_MESSAGE)
            status = 429
        elif form.is_valid():
            if device.verify_token(form.cleaned_data["token"]):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                otp_login(request, device)
                messages.success(request, _("Tvåstegsverifieringen är aktiverad."))
                return redirect(_next_url(request))
            form.add_error("token", _wrong_code_message(device))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, title=_("QR-kod för tvåstegsverifiering")
    )
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/otp_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret, "next": _next_url(request)},
        status=status,
    )


@login_required_view
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Enter the current code from the authenticator app."""
    user = request.user
    if not user_has_device(user):
        return redirect(f"{reverse('accounts:otp_setup')}?next={_next_url(request)}")
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _otp_throttled(request):
            form.add_error(None, THROTTLED_MESSAGE)
            status = 429
        elif form.is_valid():
            for device in TOTPDevice.objects.filter(user=user, confirmed=True):
                if device.verify_token(form.cleaned_data["token"]):
                    otp_login(request, device)
                    return redirect(_next_url(request))
            form.add_error("token", _wrong_code_message(device))
            status = 400
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": _next_url(request)},
        status=status,
    )
