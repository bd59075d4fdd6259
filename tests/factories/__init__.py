"""Builders of test data, one module per app, named after the app it builds
for (accounts, vault, brands, consents, webhooks, audit, regulator, analytics).
Each builds through that app's real services, never by inserting personal data
with the ORM, and imports the application code it needs at the top of the
module only.

Builders are plain typed functions with keyword-only arguments. The OAuth and
HTTP helpers of ``consents`` (``authorize_url``, ``api``, ``basic_auth``...)
keep the positional shape of the requests they make. The shared fixtures of
tests/conftest.py are thin wrappers around the builders.
"""

# The audit actor of whatever an operator sets up for a test.
OPERATOR: tuple[str, str] = ("operator", "tests")
