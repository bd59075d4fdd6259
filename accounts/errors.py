"""The accounts' errors (on the hierarchy of ``core.errors``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput


class AccountExists(Conflict):
    code = "account_exists"
    default_message = _("An account already uses this e-mail address.")


class EmailInvalid(InvalidInput):
    default_message = _("Enter a valid e-mail address.")


class TwoFactorAlreadyOn(Conflict):
    code = "two_factor_already_on"
    default_message = _("Two-factor authentication is already on.")
