"""Brand tests share the OAuth factories of tests/consents."""

from tests.consents.conftest import (  # noqa: F401
    app,
    filled_consumer,
    flow,
    make_app,
    make_brand,
)
