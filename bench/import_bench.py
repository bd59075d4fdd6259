"""Import throughput: 100,000 purchases with encryption vs the same bulk insert without it.

Both paths parse and validate the same CSV and insert the same Record rows in
batches; the baseline only replaces AES-256-GCM sealing with the plaintext
JSON, so the ratio isolates what encryption costs. Runs alternate and the
median of each is reported (target: ratio >= 0.6).

    python bench/import_bench.py [--records 100000] [--runs 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sillage_bench python bench/import_bench.py
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import statistics
import time
from collections.abc import Iterator

from _django import setup


def make_csv(count: int) -> bytes:
    from vault import demo

    rows = demo.purchases(months=max(1, count // 200), seed=3, everyday_per_month=200)
    while len(rows) < count:
        rows.extend(rows[: count - len(rows)])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["occurred_at", "merchant", "category", "description", "amount", "currency", "channel"])
    for row in rows[:count]:
        data = row["data"]
        writer.writerow([row["occurred_at"], data["merchant"], data["category"], data["description"],
                         data["amount"], data["currency"], data["channel"]])
    return buffer.getvalue().encode()


@contextlib.contextmanager
def without_encryption() -> Iterator[None]:
    from vault import crypto

    real = crypto.DataKey.seal_record

    def plaintext(self: crypto.DataKey, *, record_id: str, facet: str, payload: object) -> bytes:
        return crypto.canonical_json(payload)

    crypto.DataKey.seal_record = plaintext  # type: ignore[method-assign]
    try:
        yield
    finally:
        crypto.DataKey.seal_record = real  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    vendor = setup("import")

    from django.test.utils import override_settings

    from accounts.services import account_create
    from vault.models import Record
    from vault.services import vault_import

    payload = make_csv(options.records)
    timings: dict[str, list[float]] = {"encrypted": [], "plaintext": []}
    from django.conf import settings

    # Insight recomputation is queued after each import; it is not part of the
    # import's cost, so it is switched off here (bench/insights_bench.py times it).
    with override_settings(VAULT={**settings.VAULT, "MAX_IMPORT_BYTES": 256 * 1024 * 1024,
                                  "MAX_IMPORT_RECORDS": options.records},
                           ANALYTICS={**getattr(settings, "ANALYTICS", {}),
                                      "REFRESH_AFTER_IMPORT": False}):
        for run in range(options.runs):
            for mode in ("encrypted", "plaintext") if run % 2 == 0 else ("plaintext", "encrypted"):
                user = account_create(email=f"bench-{mode}-{run}@example.test", password=None)
                context = without_encryption() if mode == "plaintext" else contextlib.nullcontext()
                with context:
                    started = time.perf_counter()
                    result = vault_import(vault=user.vault, source="Bench", stream=payload,
                                          filename="bench.csv", actor=("operator", "bench"))
                    timings[mode].append(time.perf_counter() - started)
                assert result.batch.record_count == options.records
                Record.objects.filter(vault=user.vault).delete()

    encrypted = statistics.median(timings["encrypted"])
    plaintext = statistics.median(timings["plaintext"])
    print(f"database: {vendor}; records per import: {options.records}; runs: {options.runs}")
    print(f"with encryption    : median {encrypted:.2f} s  -> {options.records / encrypted:,.0f} records/s")
    print(f"without encryption : median {plaintext:.2f} s  -> {options.records / plaintext:,.0f} records/s")
    print(f"ratio (encrypted / plaintext rate): {plaintext / encrypted:.2f}  (target >= 0.60)")


if __name__ == "__main__":
    main()
