"""Fixtures for tests against real services: a Celery worker subprocess fed
through Redis, sharing the test database with the pytest process. (The webhook
receiver it delivers to is the shared ``receiver`` fixture.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

REDIS_URL = os.environ.get("SILLAGE_IT_REDIS_URL", "redis://127.0.0.1:6379/5")
BASE_DIR = Path(settings.BASE_DIR)
WORKER_READY_SECONDS = 60


def require_redis(url: str) -> None:
    """Fail, never skip, when Redis is missing: this test is how we know delivery works."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as error:
        pytest.fail(
            f"Redis is not reachable at {url} ({error.__class__.__name__}: {error}). "
            "The Celery integration test needs it: start redis-server on 127.0.0.1:6379 "
            "or point SILLAGE_IT_REDIS_URL at one.",
            pytrace=False,
        )


def worker_database_url() -> str:
    """The URL of the database this pytest process tests against, for the worker."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        credentials = quote(db.get("USER") or "", safe="")
        if db.get("PASSWORD"):
            credentials += ":" + quote(db["PASSWORD"], safe="")
        host = db.get("HOST") or "127.0.0.1"
        port = f":{db['PORT']}" if db.get("PORT") else ""
        at = f"{credentials}@" if credentials else ""
        return f"postgres://{at}{host}{port}/{quote(db['NAME'], safe='')}"
    pytest.fail(f"no worker database URL for engine {db['ENGINE']}", pytrace=False)


@dataclass
class Worker:
    process: subprocess.Popen
    log_path: Path
    queue: str

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(
                f"the Celery worker exited with {self.process.returncode}:\n{self.log()[-4000:]}",
                pytrace=False,
            )


def _stop(process: subprocess.Popen) -> None:
    """Warm shutdown, then the whole process group if it lingers. Always reached."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def _forget_broker_connections(app: Celery) -> None:
    """Make the app connect anew, to the broker the settings name now.

    Eager calls made by earlier tests already built a producer pool for the
    default broker URL, and Celery keeps it; this is what Celery itself does
    after a fork (``Celery._after_fork``), without the fork signal.
    """
    from kombu import pools

    # kombu keeps its own process-wide registry of connection and producer
    # pools, keyed by connection: closing the app's pool alone would leave a
    # closed pool there for the next eager ``delay()`` of a later test.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_worker(transactional_db: None, settings, tmp_path: Path) -> Iterator[Worker]:
    """A real worker (``celery -A config worker --pool=solo``) on a queue of its own.

    The pytest process stops running tasks eagerly and sends them to Redis; the
    worker reads and writes the same test database (committed rows only, hence
    transactional_db) with the same keys.
    """
    require_redis(REDIS_URL)
    queue = f"sillage-it-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.WEBHOOKS = {**settings.WEBHOOKS, "QUEUE": queue}

    from config.celery import app

    _forget_broker_connections(app)
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.integration.worker_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(BASE_DIR), os.environ.get("PYTHONPATH")])),
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "SILLAGE_WEBHOOKS_QUEUE": queue,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "SILLAGE_VAULT_KEYS": settings.VAULT["KEYS"],
        "SILLAGE_VAULT_ACTIVE_KEY": settings.VAULT["ACTIVE_KEY"],
        "SILLAGE_INDEX_KEY": settings.VAULT["INDEX_KEY"],
    }
    log_path = tmp_path / "celery-worker.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 (fixed arguments, our own interpreter)
            [
                sys.executable, "-m", "celery", "-A", "config", "worker",
                "--pool=solo", "-Q", queue, "-n", f"{queue}@%h",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=BASE_DIR,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = Worker(process=process, log_path=log_path, queue=queue)
    try:
        deadline = time.monotonic() + WORKER_READY_SECONDS
        while " ready." not in worker.log():
            worker.check_alive()
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the Celery worker was not ready in {WORKER_READY_SECONDS}s:\n"
                    f"{worker.log()[-4000:]}",
                    pytrace=False,
                )
            time.sleep(0.2)
        yield worker
    finally:
        _stop(process)
        _forget_broker_connections(app)
        _forget_broker_connections(app)
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=3).delete(
            queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
        )

