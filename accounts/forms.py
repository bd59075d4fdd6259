"""Portal forms: input shape and messages only. The rules (who may log in,
what a valid account is, second factors) live in accounts.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import User, email_digest


def _email_field(**attrs: Any) -> forms.EmailField:
    return forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", **attrs}),
    )


def _password_field(label: Any, autocomplete: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        **kwargs,
    )


def _code_field(help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=_("Authentication code"),
        max_length=32,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


class _Candidate:
    """Stands for the account being created so the similarity validator can
    compare the password with the e-mail before the account exists."""

    _meta = User._meta

    def __init__(self, email: str) -> None:
        self.email = email


class SignupForm(forms.Form):
    email = _email_field(autofocus=True)
    password = _password_field(
        _("Password"),
        "new-password",
        help_text=_("At least 10 characters; avoid common words and your e-mail."),
    )
    password_confirm = _password_field(_("Confirm password"), "new-password")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        confirm = cleaned.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", _("The two passwords do not match."))
        if password:
            try:
                password_validation.validate_password(
                    password, _Candidate(cleaned.get("email", ""))  # type: ignore[arg-type]
                )
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class LoginForm(forms.Form):
    email = _email_field(autofocus=True)
    password = _password_field(_("Password"), "current-password")


class SecondFactorForm(forms.Form):
    code = _code_field(
        _("The 6-digit code from your authenticator app, or one of your recovery codes.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["autofocus"] = True


class TotpConfirmForm(forms.Form):
    code = _code_field(_("Enter the 6-digit code your app shows now."))


class PasswordCheckForm(forms.Form):
    """Asks again for the password before a sensitive change."""

    password = _password_field(_("Your current password"), "current-password")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("That password is not right."), code="password_incorrect")
        return password


class AccountDeleteForm(PasswordCheckForm):
    code = _code_field(_("Two-factor authentication is on: enter a code from your app."))
    confirm = forms.BooleanField(
        label=_("I understand that my vault and account will be erased for good."),
        error_messages={"required": _("Tick the box to confirm that you want to erase everything.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        if not user.two_factor_enabled:
            del self.fields["code"]
        self.order_fields(["confirm", "password", "code"])


class SillagePasswordResetForm(PasswordResetForm):
    """Django's reset form, finding the account by the e-mail's keyed digest:
    e-mails are stored sealed, so a case-insensitive column look-up cannot work."""

    email = _email_field(autofocus=True)

    def get_users(self, email: str) -> Any:
        active_users = User.objects.filter(email_index=email_digest(email), is_active=True)
        return (user for user in active_users if user.has_usable_password())
