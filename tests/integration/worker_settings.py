"""Settings of the Celery worker that the integration tests start.

The test settings, except what must be shared with the pytest process that
started the worker: its keys (test keys are random per process, and the worker
must open the webhook secrets that process sealed), its test database
(DATABASE_URL) and its broker. Retries are quick so a retry fits in a test.
"""

from __future__ import annotations

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import VAULT, WEBHOOKS

VAULT = {
    **VAULT,
    "KEYS": os.environ["SILLAGE_VAULT_KEYS"],
    "ACTIVE_KEY": os.environ["SILLAGE_VAULT_ACTIVE_KEY"],
    "INDEX_KEY": os.environ["SILLAGE_INDEX_KEY"],
}
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
CELERY_TASK_ALWAYS_EAGER = False
WEBHOOKS = {
    **WEBHOOKS,
    "BACKOFF_BASE_SECONDS": 0.5,
    "BACKOFF_MAX_SECONDS": 1.0,
    "TIMEOUT_SECONDS": 5.0,
}
