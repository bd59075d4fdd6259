"""Regulator: API tokens of a regulator account (the account itself: accounts.create_regulator)."""

from __future__ import annotations

from audit.models import RegulatorToken
from audit.services import regulator_token_create
from portal.models import User

from . import OPERATOR


def create_regulator_token(*, user: User, name: str = "tests") -> tuple[RegulatorToken, str]:
    """An API token of the regulator ``user``, made by an operator through
    regulator_token_create; returns the stored row and the token in clear."""
    return regulator_token_create(user=user, name=name, actor=OPERATOR)
