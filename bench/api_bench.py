"""Brand API facet read under gunicorn on PostgreSQL: full path versus a bare
DRF endpoint with the same token authentication, measured in one run.

Full path: GET /api/v1/facets/contact (token look-up by digest with its consent,
per-client rate limit, data-key unwrap, AES-GCM open, audit event appended in
the same transaction). Bare: GET /bench/bare (the same authentication class
and permission, then a constant body). Phases alternate bare/full so drift
hits both; the target is full >= 0.7 x bare throughput.

    python bench/api_bench.py [--seconds 8] [--rounds 2] [--concurrency 8] [--workers 2]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sillage_bench python bench/api_bench.py

The database named in DATABASE_URL is dropped and created again, and so is a
second one beside it, ``<name>_keystore``: production keeps the wrapped data keys
in a database of their own (SILLAGE_KEYSTORE_DATABASE_URL), and so does the
bench, so that the key look-up is measured as deployed. No mail is sent; the
SMTP address production requires (EMAIL_URL) is never contacted. This module
is also the gunicorn workers' settings and URLconf (DJANGO_SETTINGS_MODULE=api_bench):
production settings plus the bare endpoint.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

if __name__ != "__main__" and os.environ.get("SILLAGE_BENCH_ROLE") == "server":
    # --- imported by gunicorn workers as their settings module ---
    from config.settings.production import *  # noqa: F403

    ROOT_URLCONF = "api_bench"


def __getattr__(name: str) -> Any:
    """URLconf, built lazily (the module is imported as settings first)."""
    if name != "urlpatterns":
        raise AttributeError(name)
    from django.urls import include, path
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from brands.api.authentication import ConsentTokenAuthentication, HasConsentToken

    class BareView(APIView):
        authentication_classes = [ConsentTokenAuthentication]
        permission_classes = [HasConsentToken]

        def get(self, request: Any) -> Response:
            return Response({"ok": True})

    patterns = [path("bench/bare", BareView.as_view()), path("", include("config.urls"))]
    globals()["urlpatterns"] = patterns
    return patterns


def main() -> None:  # noqa: PLR0915 - a script, read top to bottom
    import argparse
    import base64
    import http.client
    import secrets
    import signal
    import socket
    import statistics
    import subprocess
    import threading
    import time
    from urllib.parse import urlsplit

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=2, help="bare/full pairs")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--consumers", type=int, default=32,
                        help="consumers (each with a consent and token) the requests spread over")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sillage_bench")
    if not url.startswith("postgres"):
        sys.exit("api_bench needs PostgreSQL: set DATABASE_URL=postgres://...")
    keystore_url = _keystore_url(url)
    _recreate_database(url)
    _recreate_database(keystore_url)

    def key() -> str:
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()

    env = {
        "DATABASE_URL": url,
        "SILLAGE_KEYSTORE_DATABASE_URL": keystore_url,
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "SILLAGE_VAULT_KEYS": f"bench1:{key()}",
        "SILLAGE_VAULT_ACTIVE_KEY": "bench1",
        "SILLAGE_INDEX_KEY": key(),
        "SILLAGE_AUDIT_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "CELERY_BROKER_URL": "memory://",
        "CACHE_URL": "locmemcache://bench",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SILLAGE_API_RATE_LIMIT": "100000000/min",
        "SILLAGE_BENCH_ROLE": "server",
        "DJANGO_SETTINGS_MODULE": "api_bench",
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench")]),
    }
    os.environ.update(env)
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("migrate", database="keystore", verbosity=0)
    tokens = _fixture(args.consumers)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--worker-class", "gthread", "--threads", str(args.threads),
         "--keep-alive", "30", "--log-level", "error"],
        cwd=str(ROOT), env={**os.environ, **env}, start_new_session=True,
    )
    try:
        _wait_for(port)
        def phase(path: str, seconds: float) -> tuple[int, list[float], int]:
            latencies: list[float] = []
            errors = [0]
            lock = threading.Lock()
            stop = time.perf_counter() + seconds

            def worker(offset: int) -> None:
                turn = offset
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                mine: list[float] = []
                failed = 0
                while time.perf_counter() < stop:
                    turn += 1
                    headers = {"Authorization": f"Bearer {tokens[turn % len(tokens)]}"}
                    started = time.perf_counter()
                    try:
                        connection.request("GET", path, headers=headers)
                        response = connection.getresponse()
                        response.read()
                        if response.status != 200:
                            failed += 1
                    except (OSError, http.client.HTTPException):
                        failed += 1
                        connection.close()
                        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                        continue
                    mine.append(time.perf_counter() - started)
                connection.close()
                with lock:
                    latencies.extend(mine)
                    errors[0] += failed

            threads = [threading.Thread(target=worker, args=(index * 7,))
                       for index in range(args.concurrency)]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
            return int(len(latencies) / elapsed), latencies, errors[0]

        paths = {"bare": "/bench/bare", "full": "/api/v1/facets/contact"}
        for name in paths:  # warm-up: connections, imports, caches
            phase(paths[name], 1.5)
        results: dict[str, list[tuple[int, list[float], int]]] = {"bare": [], "full": []}
        for _ in range(args.rounds):
            for name in ("bare", "full"):
                results[name].append(phase(paths[name], args.seconds))

        def summary(name: str) -> tuple[float, float, float, int]:
            runs = results[name]
            rate = statistics.median(run[0] for run in runs)
            latencies = sorted(value for run in runs for value in run[1])
            p50 = latencies[len(latencies) // 2] * 1000
            p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
            return rate, p50, p99, sum(run[2] for run in runs)

        bare = summary("bare")
        full = summary("full")
        print(f"brand API facet read on PostgreSQL ({urlsplit(url).path.lstrip('/')}), gunicorn "
              f"{args.workers} workers x {args.threads} threads, {args.concurrency} clients over "
              f"{args.consumers} consumers, {args.rounds} x {args.seconds:.0f}s per path")
        print(f"{'path':<44}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
        for label, (rate, p50, p99, errors) in (
            ("bare DRF endpoint, same token auth", bare),
            ("full: GET /api/v1/facets/contact", full),
        ):
            print(f"{label:<44}{rate:>9.0f}{p50:>9.2f}{p99:>9.2f}{errors:>8}")
        ratio = full[0] / bare[0] if bare[0] else 0.0
        print(f"ratio full/bare throughput: {ratio:.2f} (target >= 0.70): "
              f"{'met' if ratio >= 0.7 else 'NOT met'}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _keystore_url(url: str) -> str:
    """The keystore database beside the bench's own: same server, ``<name>_keystore``."""
    base, _, rest = url.rpartition("/")
    name, question, query = rest.partition("?")
    return f"{base}/{name}_keystore{question}{query}"


def _recreate_database(url: str) -> None:
    import psycopg

    parts = url.rsplit("/", 1)
    name = parts[1].split("?")[0]
    if not name.replace("_", "").isalnum():
        sys.exit(f"unexpected database name {name!r}")
    with psycopg.connect(parts[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def _fixture(consumers: int) -> list[str]:
    """Consumers with a contact value, each with a live consent to one brand
    client; returns the bearer values of access tokens carrying them."""
    import datetime as dt
    import secrets

    from django.utils import timezone

    from accounts.services import account_create
    from brands.services import OPERATOR, application_create, brand_create
    from consents.models import AccessToken
    from consents.services import consent_grant
    from vault.services import record_write

    brand = brand_create(name="Bench Brand", actor=OPERATOR, verified=True)
    application = application_create(brand=brand, name="Bench", actor=OPERATOR,
                                      redirect_uris=["https://bench.example/cb"],
                                      purposes=["service"]).application
    tokens = []
    for number in range(consumers):
        consumer = account_create(email=f"bench{number}@example.test", password=None)
        record_write(vault=consumer.vault, facet="contact", source="self",
                     actor=("consumer", str(consumer.vault.subject)),
                     data={"email": f"bench{number}@example.test", "phone": "+33 6 00 00 00 00"})
        consent = consent_grant(consumer=consumer, application=application,
                                facets={"contact": ["read"]}, purpose="service",
                                expires_at=timezone.now() + dt.timedelta(days=1))
        raw = secrets.token_urlsafe(32)
        token = AccessToken(user=consumer, application=application, consent=consent,
                            scope="contact:read", expires=timezone.now() + dt.timedelta(hours=2))
        token.token = raw  # stripped to its digest on save
        token.save()
        tokens.append(raw)
    return tokens


def _wait_for(port: int) -> None:
    import socket
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start")


if __name__ == "__main__":
    main()
