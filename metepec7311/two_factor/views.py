"""The two pages of the second factor, inside the admin: enter a code after the password
(`verificar/`), and set up or manage the authenticator app (`dos-pasos/`).

Both are for a signed-in staff member the admin does not let in yet, so they are not wrapped
in `admin_view` (which would send them back to the login page); `staff_session` checks
instead.
"""

from functools import wraps
from urllib.parse import quote

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import login as otp_login
from django_otp import match_token

from . import enrollment, policy

# django-otp refuses every code for a moment after a wrong one (1 s, then 2, 4, 8…).
AFTER_FAILURES = " (tras varios intentos fallidos, espere unos segundos antes de intentar de nuevo)."


class CodeForm(forms.Form):
    token = forms.CharField(
        label="Código de verificación",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text="Los 6 dígitos que muestra su aplicación de autenticación, o uno de sus códigos de recuperación.",
    )

    def clean_token(self):
        # As typed on a phone: "123 456", or a recovery code in capitals.
        return self.cleaned_data["token"].replace(" ", "").lower()


def staff_session(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return redirect(f"{reverse('admin:login')}?next={quote(reverse('admin:index'))}")
        return view(request, *args, **kwargs)

    return never_cache(csrf_protect(wrapper))


def next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("admin:index")


def _render(request, site, template, **context):
    return TemplateResponse(request, template, {**site.each_context(request), "next": next_url(request), **context})


def verify(request, site):
    """After the password: a code from the app or a recovery code. A wrong code counts as a
    failed login for django-axes, so guessing codes locks the account like guessing passwords;
    django-otp also slows each device down after every failure."""
    user = request.user
    step = policy.pending_step(user)
    if step is None:
        return redirect(next_url(request))
    if step == "enroll":
        return redirect(f"{reverse('admin:two_factor')}?next={quote(next_url(request))}")
    credentials = {"username": user.get_username()}
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if AxesProxyHandler.is_locked(request, credentials):
            logout(request)
            return _render(request, site, "admin/locked_out.html", cooloff_time=settings.AXES_COOLOFF_TIME)
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            if device.name == enrollment.CODES_NAME:
                left = enrollment.recovery_codes_left(user)
                messages.warning(request, f"Usó un código de recuperación; le quedan {left}.")
            return redirect(next_url(request))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        form.add_error(
            "token", "El código no es válido o ya venció. Escriba el que muestra su aplicación ahora" + AFTER_FAILURES
        )
    return _render(request, site, "admin/two_factor/verify.html", form=form, title="Verificación en dos pasos")


def manage(request, site):
    """Set up the app (QR code and the key to type), confirm it with a code, get recovery
    codes; once on: new recovery codes, or turn it off where it is not required."""
    user = request.user
    app = enrollment.confirmed_app(user)
    if app is not None and not policy.is_verified(user):
        return redirect(f"{reverse('admin:two_factor_verify')}?next={quote(request.path)}")
    required = policy.second_factor_required(user)
    form = CodeForm(request.POST or None)
    action = request.POST.get("action")
    context = {"title": "Verificación en dos pasos", "required": required, "form": form}

    if app is None:
        device = enrollment.pending_device(user)
        if action == "confirm" and form.is_valid():
            codes = enrollment.confirm(device, form.cleaned_data["token"])
            if codes is not None:
                otp_login(request, device)
                return _render(
                    request,
                    site,
                    "admin/two_factor/codes.html",
                    codes=codes,
                    **{**context, "title": "Sus códigos de recuperación"},
                )
            form.add_error(
                "token", "El código no coincide. Revise que la hora de su teléfono sea la correcta" + AFTER_FAILURES
            )
        return _render(
            request,
            site,
            "admin/two_factor/setup.html",
            qr=mark_safe(enrollment.qr_svg(device)),  # generated by qrcode from our own data
            secret=enrollment.secret_for_typing(device),
            **context,
        )

    if action == "codes":
        codes = enrollment.new_recovery_codes(user)
        return _render(
            request,
            site,
            "admin/two_factor/codes.html",
            codes=codes,
            **{**context, "title": "Sus códigos de recuperación"},
        )
    if action == "off" and not required and form.is_valid():
        # Turning it off asks for a current code: a session left open is not enough.
        if match_token(user, form.cleaned_data["token"]) is not None:
            enrollment.turn_off(user)
            messages.success(request, "La verificación en dos pasos quedó desactivada.")
            return redirect(reverse("admin:two_factor"))
        form.add_error("token", "El código no es válido; la verificación sigue activa" + AFTER_FAILURES)
    return _render(
        request,
        site,
        "admin/two_factor/status.html",
        app=app,
        codes_left=enrollment.recovery_codes_left(user),
        **context,
    )
