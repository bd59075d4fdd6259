"""Consumer portal views: thin. They read the request, call portal and vault
services or selectors, and render; the rules live in the services."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from core.actors import account_actor
from core.requests import client_address, request_id_of
from vault.services import vault_erase

from .errors import EmailInvalid
from .forms import (
    AccountDeleteForm,
    LoginForm,
    PasswordCheckForm,
    SecondFactorForm,
    SignupForm,
    SillagePasswordResetForm,
    TotpConfirmForm,
)
from .models import User
from .requests import account_of, second_factor_mark, second_factor_passed
from .services import (
    OK,
    SECOND_FACTOR,
    THROTTLED,
    UNVERIFIED,
    account_signup,
    email_verification_send,
    email_verify,
    login_attempt_failed,
    login_attempt_reserve,
    login_password_check,
    login_second_factor_check,
    password_change,
    password_reset_complete,
    second_factor_check,
    totp_begin,
    totp_confirm,
    totp_disable,
    totp_provisioning_uri,
    totp_secret,
)

BACKEND = "accounts.backends.EmailDigestBackend"
PENDING_KEY = "portal.pending_second_factor"
# How long a correct password stays good while the second factor is asked for.
PENDING_SECONDS = 300
# Wrong codes allowed for one pending log-in before the password is asked again.
PENDING_ATTEMPTS = 5


def _client_ip(request: HttpRequest) -> str:
    # Behind trusted proxies only (CORE["TRUSTED_PROXIES"]), X-Forwarded-For names the client.
    return client_address(request)


def _request_id(request: HttpRequest) -> str:
    return request_id_of(request)


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("portal:dashboard")


def _minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


def _throttled(request: HttpRequest, template: str, context: dict[str, Any],
               retry_after: int) -> HttpResponse:
    context["throttled"] = _(
        "Too many failed attempts. For your security, signing in is paused: "
        "try again in %(minutes)s minutes, or reset your password."
    ) % {"minutes": _minutes(retry_after)}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


# --- sign up, log in, log out ---------------------------------------------------------


def _site_url(request: HttpRequest) -> str:
    """This site's address as the visitor reached it (the host is checked
    against ALLOWED_HOSTS), for links in e-mails."""
    return request.build_absolute_uri("/")


@sensitive_post_parameters("password", "password_confirm")
@never_cache
@require_http_methods(["GET", "POST"])
def signup_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_signup(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                site_url=_site_url(request),
                language=(get_language() or "en")[:8],
                request_id=_request_id(request),
            )
        except EmailInvalid as error:
            form.add_error("email", error.localized())
        else:
            # The same answer whether or not the address had an account.
            return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


def signup_done_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html")


@never_cache
@require_http_methods(["GET"])
def email_verify_view(request: HttpRequest, token: str) -> HttpResponse:
    user = email_verify(token=token, request_id=_request_id(request))
    if user is None:
        return render(request, "accounts/email_verify_invalid.html", status=400)
    messages.success(request, _(
        "Your e-mail address is confirmed. Log in to open your vault."
    ))
    return redirect("accounts:login")


def _pending_start(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """The password is right (or the session already proved it): ask for the code."""
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": str(user.pk),
        "since": time.time(),
        "next": next_url,
        "attempts": 0,
    }
    return redirect("accounts:login_verify")


def _login(request: HttpRequest, data: Any, next_url: str) -> HttpResponse:
    """The log-in form's POST: the one way to a session (the admin's log-in page
    comes here too)."""
    form = LoginForm(data)
    context: dict[str, Any] = {"form": form, "next": next_url}
    if form.is_valid():
        outcome = login_password_check(
            email=form.cleaned_data["email"], password=form.cleaned_data["password"],
            client_ip=_client_ip(request), request_id=_request_id(request),
        )
        if outcome.status == THROTTLED:
            return _throttled(request, "accounts/login.html", context, outcome.retry_after)
        if outcome.user is not None and outcome.status == UNVERIFIED:
            email_verification_send(user=outcome.user, site_url=_site_url(request))
            form.add_error(None, _(
                "Confirm your e-mail address first: we have sent you a new link. "
                "Follow it, then log in."
            ))
            return render(request, "accounts/login.html", context)
        if outcome.user is not None and outcome.status == SECOND_FACTOR:
            return _pending_start(request, outcome.user, next_url)
        if outcome.user is not None and outcome.status == OK:
            login(request, outcome.user, backend=BACKEND)
            return redirect(_safe_next(request, next_url))
        form.add_error(None, _("That e-mail and password do not match an account."))
    return render(request, "accounts/login.html", context)


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated:
        return redirect(_safe_next(request, next_url))
    if request.method == "POST":
        return _login(request, request.POST, next_url)
    return render(request, "accounts/login.html", {"form": LoginForm(), "next": next_url})


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def admin_login_view(request: HttpRequest) -> HttpResponse:
    """The admin site's log-in page (accounts.admin_site): it has no form of
    its own. A visitor is sent to the accounts log-in; a form posted here
    anyway (the admin's own fields: username, password) goes through the same
    log-in; a staff session that has not passed the second factor is asked for
    it, and a staff account without 2FA is sent to turn it on."""
    admin_index = reverse("admin:index")
    next_url = request.POST.get("next") or request.GET.get("next") or admin_index
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = admin_index
    user = request.user
    if not user.is_authenticated:
        if request.method == "POST":
            data = request.POST.copy()
            data.setdefault("email", request.POST.get("username", ""))
            return _login(request, data, next_url)
        return redirect_to_login(next_url, reverse("accounts:login"))
    account = account_of(request)
    if not (account.is_active and account.is_staff):
        messages.error(request, _("The administration site is for Sillage staff only."))
        return redirect("portal:dashboard")
    if not account.two_factor_enabled:
        messages.info(request, _(
            "Staff accounts need two-factor authentication: turn it on, then open the "
            "administration site again."
        ))
        return redirect("accounts:totp_setup")
    if not second_factor_passed(request):
        # This session proved the password only: ask for the code now.
        return _pending_start(request, account, next_url)
    return redirect(next_url)


def _pending_user(request: HttpRequest) -> tuple[User | None, dict[str, Any]]:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None, {}
    if time.time() - float(pending.get("since", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, {}
    pending_id = pending.get("user")
    user = (User.objects.filter(pk=pending_id, is_active=True).first()
            if isinstance(pending_id, str) else None)
    if user is None or not user.two_factor_enabled:
        request.session.pop(PENDING_KEY, None)
        return None, {}
    return user, pending


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def login_verify_view(request: HttpRequest) -> HttpResponse:
    user, pending = _pending_user(request)
    if user is None:
        messages.info(request, _("Please enter your e-mail and password first."))
        return redirect("accounts:login")
    form = SecondFactorForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        outcome = login_second_factor_check(
            user=user, code=form.cleaned_data["code"], client_ip=_client_ip(request),
            request_id=_request_id(request),
        )
        if outcome.status == THROTTLED:
            request.session.pop(PENDING_KEY, None)
            return _throttled(request, "accounts/login_verify.html", context,
                              outcome.retry_after)
        if outcome.status == OK:
            request.session.pop(PENDING_KEY, None)
            login(request, user, backend=BACKEND)
            second_factor_mark(request)
            return redirect(_safe_next(request, pending.get("next")))
        pending["attempts"] = int(pending.get("attempts", 0)) + 1
        if pending["attempts"] >= PENDING_ATTEMPTS:
            request.session.pop(PENDING_KEY, None)
            messages.error(request, _("Too many wrong codes. Please log in again."))
            return redirect("accounts:login")
        request.session[PENDING_KEY] = pending
        form.add_error(
            "code", _("That code is not valid, or it was already used. Try the next one.")
        )
    return render(request, "accounts/login_verify.html", context)


@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        logout(request)
        messages.info(request, _("You are logged out. See you soon."))
        return redirect("accounts:login")
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return render(request, "accounts/logout_confirm.html")


# --- account and security -------------------------------------------------------------


def _account_page(request: HttpRequest, status: int = 200, **forms: Any) -> HttpResponse:
    user = account_of(request)
    password_form = forms.get("password_form") or PasswordChangeForm(user=user)
    # Django's form autofocuses its first field; on this page it would jump past the 2FA section.
    password_form.fields["old_password"].widget.attrs.pop("autofocus", None)
    context = {
        "password_form": password_form,
        "disable_form": forms.get("disable_form") or PasswordCheckForm(user=user),
        "recovery_left": user.recovery_codes.filter(used_at__isnull=True).count()
        if user.two_factor_enabled
        else 0,
    }
    return render(request, "accounts/account.html", context, status=status)


@sensitive_post_parameters()
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def account_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _account_page(request)
    # Both changes below ask for the password again: a stolen session must not
    # turn them into a password-guessing oracle, so they share the log-in
    # throttle, and the check is reserved there before the password is checked.
    user = account_of(request)
    action = request.POST.get("action")
    if action not in ("password", "totp_disable"):
        messages.error(request, _("That action is not known. Nothing was changed."))
        return redirect("accounts:account")
    attempt = login_attempt_reserve(email=user.email, client_ip=_client_ip(request))
    if not attempt.allowed:
        messages.error(request, _(
            "Too many wrong passwords. For your security, this is paused: try again in "
            "%(minutes)s minutes."
        ) % {"minutes": _minutes(attempt.retry_after)})
        response = _account_page(request, status=429)
        response["Retry-After"] = str(attempt.retry_after)
        return response
    if action == "password":
        password_form = PasswordChangeForm(user=user, data=request.POST)
        valid = password_form.is_valid()
        if password_form.has_error("old_password", "password_incorrect"):
            login_attempt_failed(attempt=attempt, email=user.email,
                                 request_id=_request_id(request))
        else:
            attempt.release()
        if valid:
            password_change(user=user, password=password_form.cleaned_data["new_password1"],
                            request_id=_request_id(request))
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed."))
            return redirect("accounts:account")
        return _account_page(request, status=400, password_form=password_form)
    disable_form = PasswordCheckForm(user=user, data=request.POST)
    valid = disable_form.is_valid()
    if disable_form.has_error("password", "password_incorrect"):
        login_attempt_failed(attempt=attempt, email=user.email, request_id=_request_id(request))
    else:
        attempt.release()
    if valid:
        totp_disable(user=user, request_id=_request_id(request))
        messages.success(request, _("Two-factor authentication is off."))
        return redirect("accounts:account")
    return _account_page(request, status=400, disable_form=disable_form)


@sensitive_post_parameters("code")
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def totp_setup_view(request: HttpRequest) -> HttpResponse:
    user = account_of(request)
    if user.two_factor_enabled:
        messages.info(request, _("Two-factor authentication is already on."))
        return redirect("accounts:account")
    if request.method == "POST" and request.POST.get("action") == "begin":
        totp_begin(user=user)
        return redirect("accounts:totp_setup")
    form = TotpConfirmForm(request.POST or None)
    secret = totp_secret(user)
    if request.method == "POST" and secret and form.is_valid():
        codes = totp_confirm(user=user, code=form.cleaned_data["code"],
                             request_id=_request_id(request))
        if codes is not None:
            # Shown once, in this response only: they are stored as digests.
            return render(request, "accounts/totp_recovery_codes.html", {"codes": codes})
        form.add_error("code", _("That code does not match. Check your phone's clock and try "
                                 "the code shown now."))
    context: dict[str, Any] = {"form": form, "secret": secret}
    if secret:
        context["uri"] = totp_provisioning_uri(user=user, secret=secret)
        context["secret_groups"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(request, "accounts/totp_setup.html", context)


@sensitive_post_parameters()
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def account_delete_view(request: HttpRequest) -> HttpResponse:
    user = account_of(request)
    form = AccountDeleteForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        # The password (and code) are checked only once the check is reserved in
        # the log-in throttle: a stolen session is no guessing oracle.
        attempt = login_attempt_reserve(email=user.email, client_ip=_client_ip(request))
        if not attempt.allowed:
            return _throttled(request, "accounts/account_delete.html", {"form": form},
                              attempt.retry_after)
        valid = form.is_valid()
        code_right = valid and (
            not user.two_factor_enabled
            or second_factor_check(user=user, code=form.cleaned_data["code"])
        )
        if valid and not code_right:
            form.add_error("code", _("That code is not valid, or it was already used."))
        if form.has_error("password", "password_incorrect") or (valid and not code_right):
            login_attempt_failed(attempt=attempt, email=user.email,
                                 request_id=_request_id(request))
        else:
            attempt.release()
        if code_right:
            actor = account_actor(user)
            vault_erase(vault=user.vault, actor=actor, request_id=_request_id(request))
            logout(request)
            return redirect("accounts:goodbye")
        status = 400
    return render(request, "accounts/account_delete.html", {"form": form}, status=status)


def goodbye_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/goodbye.html")


# --- password reset (Django's views, our look-up and templates) --------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = SillagePasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        # Django's form.save() would set the password unaudited: the service
        # sets it with its audit event, in one transaction.
        password_reset_complete(
            user=form.user, password=form.cleaned_data["new_password1"],
            client_ip=_client_ip(self.request), request_id=_request_id(self.request),
        )
        self.request.session.pop(auth_views.INTERNAL_RESET_SESSION_TOKEN, None)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
