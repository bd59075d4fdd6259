"""Regulator: API tokens of a regulator account (the account itself: accounts.create_regulator)."""

from __future__ import annotations

from accounts.models import User
from regulator.models import RegulatorToken
from regulator.services import regulator_token_create

from . import OPERATOR


def create_regulator_token(*, user: User, name: str = "tests") -> tuple[RegulatorToken, str]:
    """An API token of the regulator ``user``, made by an operator through
    regulator_token_create; returns the stored row and the token in clear."""
    return regulator_token_create(user=user, name=name, actor=OPERATOR)
