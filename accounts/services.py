"""Account use cases: creation, log-in throttling, TOTP second factor."""

from __future__ import annotations

import base64
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.views.decorators.debug import sensitive_variables

from audit.services import audit_append
from core.actors import account_actor
from vault.crypto import DataKey, blind_index
from vault.selectors import account_field_open
from vault.services import account_field_seal, vault_create

from .conf import accounts_settings
from .errors import AccountExists, EmailInvalid, TwoFactorAlreadyOn
from .models import RecoveryCode, User, email_digest
from .throttle import Attempt, attempt_reserve, attempts_forget

TOTP_DIGITS = 6
TOTP_STEP = 30
RECOVERY_CODES = 10


def account_create(
    *,
    email: str,
    password: str | None,
    role: str = User.Role.CONSUMER,
    language: str = "en",
    is_superuser: bool = False,
    email_verified: bool = True,
    request_id: str = "",
    **extra: Any,
) -> User:
    """Create an account with its vault. Accounts made by operators, commands
    and the demo are trusted with their e-mail (``email_verified``); the public
    sign-up (``account_signup``) creates them unproven."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise EmailInvalid() from error
    digest = email_digest(email)
    with transaction.atomic():
        if User.objects.filter(email_index=digest).exists():
            raise AccountExists()
        user = User(
            email_index=digest,
            role=role,
            language=language,
            is_superuser=is_superuser,
            is_staff=is_superuser or role == User.Role.STAFF,
            email_verified_at=timezone.now() if email_verified else None,
            **extra,
        )
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as error:  # the same address, created meanwhile
            raise AccountExists("An account already uses this e-mail address.") from error
        vault_create(owner=user)
        user.email_sealed = account_field_seal(user=user, name="email", value=email)
        user.save(update_fields=["email_sealed"])
        user._email_plain = email
        audit_append(actor=account_actor(user), action="account.created",
                     subject=str(user.vault.subject), request_id=request_id,
                     detail={"role": str(role)})
    return user


def account_fields_rekey(*, vault: Any, old_key: DataKey, new_key: DataKey) -> None:
    """Receiver of ``vault.hooks.rekeyed``: re-seal the owner's e-mail and TOTP
    secret under the vault's new data key, in the re-encryption's transaction."""
    owner = User.objects.select_for_update(of=("self",)).get(pk=vault.owner_id)
    fields = ["email_sealed"]
    owner.email_sealed = new_key.seal_field(
        owner_id=str(owner.pk), name="email",
        value=old_key.open_field(bytes(owner.email_sealed), owner_id=str(owner.pk), name="email"))
    if owner.totp_sealed:
        totp = old_key.open_field(bytes(owner.totp_sealed), owner_id=str(owner.pk), name="totp")
        owner.totp_sealed = new_key.seal_field(owner_id=str(owner.pk), name="totp", value=totp)
        fields.append("totp_sealed")
    owner.save(update_fields=fields)


# --- sign-up and e-mail verification ---------------------------------------------
# The sign-up answers the same whatever the address: whether it has an account
# is said only to that address, by e-mail. A new account is usable once the
# link mailed to it is followed (signed, time-limited, valid once).

_VERIFY_SALT = "accounts.email-verification"


def _verification_state(user: User) -> str:
    """Changes when the link must stop working: a new password (a new sign-up
    for the same unproven address) or the address proven."""
    return salted_hmac(_VERIFY_SALT, f"{user.pk}|{user.password}|{user.email_verified_at}",
                       algorithm="sha256").hexdigest()[:32]


def email_verification_token(user: User) -> str:
    return signing.dumps([str(user.pk), _verification_state(user)], salt=_VERIFY_SALT)


def _send(*, to: str, template: str, context: dict[str, Any]) -> None:
    subject = render_to_string(f"accounts/{template}_subject.txt", context).strip()
    body = render_to_string(f"accounts/{template}_email.txt", context)
    send_mail(subject, body, None, [to])


def email_verification_send(*, user: User, site_url: str) -> None:
    """Mail the account's address a link that proves the owner holds it.
    ``site_url`` is the site's own address (scheme and host), for the link."""
    path = reverse("accounts:email_verify", kwargs={"token": email_verification_token(user)})
    days = max(1, int(accounts_settings.EMAIL_VERIFY_SECONDS) // 86400)
    _send(to=user.email, template="email_verify",
          context={"link": site_url.rstrip("/") + path, "days": days})


@sensitive_variables("password")
def account_signup(*, email: str, password: str, site_url: str, language: str = "en",
                   request_id: str = "") -> None:
    """The public sign-up. Whatever the address, the caller answers the same;
    the address alone learns what happened:

    - new: an unproven account is created and the address gets a link to prove it;
    - an account that was never proven: nobody has shown they hold the address,
      so the latest sign-up's password replaces the earlier one, and the
      address gets a new link (earlier links stop working);
    - a proven account: nothing changes; the address is told it already has
      an account (log in, or reset the password).
    """
    try:
        user = account_create(email=email, password=password, language=language,
                              email_verified=False, request_id=request_id)
    except AccountExists:
        pass
    else:
        email_verification_send(user=user, site_url=site_url)
        return
    existing = User.objects.get(email_index=email_digest(email))
    if not existing.is_active:
        User().set_password(password)  # the same hashing work as the other answers
        return
    if not existing.email_verified:
        with transaction.atomic():
            existing.set_password(password)
            existing.save(update_fields=["password"])
            audit_append(actor=account_actor(existing), action="auth.password_changed",
                         subject=str(existing.vault.subject), request_id=request_id,
                         detail={"by": "sign-up"})
        email_verification_send(user=existing, site_url=site_url)
        return
    User().set_password(password)  # the same hashing work as the other answers
    _send(to=existing.email, template="signup_existing",
          context={"login_link": site_url.rstrip("/") + reverse("accounts:login"),
                   "reset_link": site_url.rstrip("/") + reverse("accounts:password_reset")})


def _email_verified_mark(*, user: User, request_id: str) -> bool:
    """Mark the address proven (in the caller's transaction); True if it was not yet."""
    now = timezone.now()
    if not User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(
            email_verified_at=now):
        return False
    user.email_verified_at = now
    audit_append(actor=account_actor(user), action="account.email_verified",
                 subject=str(user.vault.subject), request_id=request_id)
    return True


def email_verify(*, token: str, request_id: str = "") -> User | None:
    """Follow a sign-up link: the account it proves, or None (tampered,
    expired, already used, or made stale by a newer sign-up)."""
    try:
        account_id, state = signing.loads(
            token, salt=_VERIFY_SALT, max_age=int(accounts_settings.EMAIL_VERIFY_SECONDS))
    except (signing.BadSignature, ValueError, TypeError):
        return None
    with transaction.atomic():
        user = (User.objects.select_for_update(of=("self",)).filter(pk=account_id, is_active=True)
                .select_related("vault").first())
        if user is None or not constant_time_compare(str(state), _verification_state(user)):
            return None
        if not _email_verified_mark(user=user, request_id=request_id):
            return None
    return user


# --- log-in -------------------------------------------------------------------
# The one place where a password or a second factor is checked for a log-in
# (accounts.backends checks none): every way into a session comes through here.
# Each check is reserved in the throttle first (accounts.throttle), then settled.

OK = "ok"
SECOND_FACTOR = "second_factor"
UNVERIFIED = "unverified"
DENIED = "denied"
THROTTLED = "throttled"


@dataclass(frozen=True)
class LoginOutcome:
    """What one log-in step decided: OK (log ``user`` in), SECOND_FACTOR (the
    password is right, ask for a code), UNVERIFIED (the password is right but
    the address was never proven: no log-in), DENIED, or THROTTLED (nothing
    was checked; try again in ``retry_after`` seconds)."""

    status: str
    user: User | None = None
    retry_after: int = 0


def login_attempt_reserve(*, email: str, client_ip: str) -> Attempt:
    """Reserve a check of this account's password or code from this address,
    before checking it (for pages that ask for the password again)."""
    return attempt_reserve(email=email, client_ip=client_ip)


def login_attempt_failed(*, attempt: Attempt, email: str, request_id: str = "",
                         reason: str = "bad credentials") -> None:
    """A reserved check failed: it stays counted, and is audited when the account exists."""
    attempt.failed()
    user = User.objects.filter(email_index=email_digest(email)).select_related("vault").first()
    if user is not None:
        _login_denied_audit(user=user, reason=reason, request_id=request_id)


def _login_denied_audit(*, user: User, reason: str, request_id: str) -> None:
    with transaction.atomic():
        audit_append(actor=account_actor(user), action="auth.login", outcome="denied",
                     subject=str(user.vault.subject), request_id=request_id,
                     detail={"reason": reason})


def _login_complete(*, attempt: Attempt, user: User, request_id: str) -> LoginOutcome:
    attempt.succeeded()
    with transaction.atomic():
        audit_append(actor=account_actor(user), action="auth.login",
                     subject=str(user.vault.subject), request_id=request_id,
                     detail={"second_factor": user.two_factor_enabled})
    return LoginOutcome(OK, user)


@sensitive_variables("password")
def _password_user(email: str, password: str) -> User | None:
    """The active account with this e-mail and password, else None."""
    user = User.objects.filter(email_index=email_digest(email)).first()
    if user is None:
        # Hash anyway, so that an unknown address answers as slowly as a known one.
        User().set_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


@sensitive_variables("password")
def login_password_check(*, email: str, password: str, client_ip: str,
                         request_id: str = "") -> LoginOutcome:
    """First step of a log-in: reserve the attempt, then check the password."""
    attempt = attempt_reserve(email=email, client_ip=client_ip)
    if not attempt.allowed:
        return LoginOutcome(THROTTLED, retry_after=attempt.retry_after)
    user = _password_user(email, password)
    if user is None:
        login_attempt_failed(attempt=attempt, email=email, request_id=request_id)
        return LoginOutcome(DENIED)
    if not user.email_verified:
        attempt.release()  # the password was right: not a guess
        _login_denied_audit(user=user, reason="e-mail not verified", request_id=request_id)
        return LoginOutcome(UNVERIFIED, user)
    if user.two_factor_enabled:
        # Not a success yet: the account's failures are forgotten only once the
        # code is right, so knowing the password buys no extra code guesses.
        attempt.release()
        return LoginOutcome(SECOND_FACTOR, user)
    return _login_complete(attempt=attempt, user=user, request_id=request_id)


def login_second_factor_check(*, user: User, code: str, client_ip: str,
                              request_id: str = "") -> LoginOutcome:
    """Second step of a log-in (the password was right): reserve, then check the code."""
    email = user.email
    attempt = attempt_reserve(email=email, client_ip=client_ip)
    if not attempt.allowed:
        return LoginOutcome(THROTTLED, retry_after=attempt.retry_after)
    if second_factor_check(user=user, code=code):
        return _login_complete(attempt=attempt, user=user, request_id=request_id)
    login_attempt_failed(attempt=attempt, email=email, request_id=request_id,
                         reason="bad second factor")
    return LoginOutcome(DENIED)


# --- passwords ------------------------------------------------------------------

@sensitive_variables("password")
def password_change(*, user: User, password: str, request_id: str = "") -> None:
    """Set a new password the account chose while logged in (the old one was
    checked by the caller), with its audit event in the same transaction."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_append(actor=account_actor(user), action="auth.password_changed",
                     subject=str(user.vault.subject), request_id=request_id)


@sensitive_variables("password")
def password_reset_complete(*, user: User, password: str, client_ip: str = "",
                            request_id: str = "") -> None:
    """Set the password chosen through a reset link sent to the account's
    e-mail, with its audit event in the same transaction. The link proved the
    owner holds the address: it counts as proven, and the account's log-in
    failures are forgotten."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_append(actor=account_actor(user), action="auth.password_reset",
                     subject=str(user.vault.subject), request_id=request_id)
        # The link came to the account's address: that proves it too.
        _email_verified_mark(user=user, request_id=request_id)
    attempts_forget(email=user.email, client_ip=client_ip)


# --- TOTP ---------------------------------------------------------------------

def _totp(secret_b32: str) -> TOTP:
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    # RFC 6238 as every authenticator app implements it: HMAC-SHA1 (not a hash of secrets).
    return TOTP(key, TOTP_DIGITS, SHA1(), TOTP_STEP, enforce_key_length=False)  # noqa: S303


def totp_secret(user: User) -> str | None:
    if not user.totp_sealed:
        return None
    return account_field_open(user=user, name="totp", sealed=user.totp_sealed)


def totp_begin(*, user: User) -> str:
    """Start enrolment: a new secret, sealed, not yet enforced until confirmed."""
    if user.two_factor_enabled:
        raise TwoFactorAlreadyOn()
    secret = base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")
    user.totp_sealed = account_field_seal(user=user, name="totp", value=secret)
    user.totp_last_step = None
    user.save(update_fields=["totp_sealed", "totp_last_step"])
    return secret


def totp_provisioning_uri(*, user: User, secret: str) -> str:
    return _totp(secret).get_provisioning_uri(user.email, str(accounts_settings.TOTP_ISSUER))


def _matching_step(secret: str, code: str, now: float) -> int | None:
    code = "".join(code.split())
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    generator = _totp(secret)
    for drift in (0, -1, 1):
        moment = now + drift * TOTP_STEP
        if hmac.compare_digest(generator.generate(int(moment)), code.encode()):
            return int(moment // TOTP_STEP)
    return None


def totp_verify(*, user: User, code: str, now: float | None = None) -> bool:
    """Check a code; each time step is accepted once (no replay)."""
    secret = totp_secret(user)
    if secret is None:
        return False
    step = _matching_step(secret, code, time.time() if now is None else now)
    if step is None:
        return False
    with transaction.atomic():
        updated = User.objects.filter(pk=user.pk).exclude(totp_last_step__gte=step).update(
            totp_last_step=step
        )
    if updated:
        user.totp_last_step = step
    return bool(updated)


def _code_digest(user: User, code: str) -> str:
    normalised = "".join(code.split()).replace("-", "").lower()
    return blind_index(f"{user.pk}|{normalised}", purpose="recovery-code")


def totp_confirm(*, user: User, code: str, request_id: str = "") -> list[str] | None:
    """Turn 2FA on once the first code checks out; return one-time recovery codes."""
    if user.two_factor_enabled or not totp_verify(user=user, code=code):
        return None
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        user.totp_enabled_at = timezone.now()
        user.save(update_fields=["totp_enabled_at"])
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            [RecoveryCode(user=user, digest=_code_digest(user, code)) for code in codes]
        )
        audit_append(actor=account_actor(user), action="auth.2fa_enabled",
                     subject=str(user.vault.subject), request_id=request_id)
    return codes


def recovery_code_use(*, user: User, code: str) -> bool:
    with transaction.atomic():
        used = RecoveryCode.objects.filter(
            user=user, digest=_code_digest(user, code), used_at__isnull=True
        ).update(used_at=timezone.now())
    return bool(used)


def second_factor_check(*, user: User, code: str) -> bool:
    """A TOTP code or, failing that, an unused recovery code."""
    return totp_verify(user=user, code=code) or recovery_code_use(user=user, code=code)


def totp_disable(*, user: User, request_id: str = "") -> None:
    with transaction.atomic():
        user.totp_sealed = None
        user.totp_enabled_at = None
        user.totp_last_step = None
        user.save(update_fields=["totp_sealed", "totp_enabled_at", "totp_last_step"])
        RecoveryCode.objects.filter(user=user).delete()
        audit_append(actor=account_actor(user), action="auth.2fa_disabled",
                     subject=str(user.vault.subject), request_id=request_id)


