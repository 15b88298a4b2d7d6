"""Fixity audit throughput beside what the machine can do, on the same objects in the same run.

    .venv/bin/python bench/fixity.py [--total-mb 2048] [--object-mb 8] [--dir /var/tmp]

Creates objects in a fresh data directory (on the file system of --dir: put it on the disk you
want to measure, not tmpfs), then measures with the page cache emptied before each read pass:

- the disk's direct read rate (``dd iflag=direct``, bypassing the cache),
- Python's ``hashlib.sha256`` per core (in memory),
- coreutils ``sha256sum`` over the objects,
- ``khoso`` audit throughput (``preservation.services.audit`` over everything),
- then, with every object replicated to a second local location, ``khoso fsck``'s replica check:
  the cheap pass (listing and sizes) in objects/s and the ``--deep`` pass (hashing) in MB/s.

Targets (issue 5): audit ≥ 0.9 × min(disk rate, cores × hash rate), i.e. I/O-bound, and ≥ 3 ×
``sha256sum``. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from io import BytesIO
from pathlib import Path

MB = 1024 * 1024


def evict(paths: list[Path]) -> None:
    """Drop the objects from the page cache so every pass reads the disk (no root needed; they were fsynced)."""
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def dd_direct_rate(paths: list[Path]) -> float | None:
    if not shutil.which("dd"):
        return None
    total = 0
    started = time.perf_counter()
    for path in paths:
        result = subprocess.run(
            ["dd", f"if={path}", "of=/dev/null", "bs=4M", "iflag=direct"], capture_output=True, check=False
        )
        if result.returncode != 0:
            return None
        total += path.stat().st_size
    return total / MB / (time.perf_counter() - started)


def hashlib_rate_per_core(megabytes: int = 512) -> float:
    block = os.urandom(64 * MB)
    digest = hashlib.sha256()
    started = time.perf_counter()
    for _ in range(megabytes // 64):
        digest.update(block)
    return megabytes / (time.perf_counter() - started)


def sha256sum_rate(paths: list[Path], total_bytes: int) -> float | None:
    if not shutil.which("sha256sum"):
        return None
    evict(paths)
    started = time.perf_counter()
    subprocess.run(["sha256sum", *map(str, paths)], capture_output=True, check=True)
    return total_bytes / MB / (time.perf_counter() - started)


def make_objects(total_mb: int, object_mb: int) -> None:
    from khoso.storage.services import object_put_stream

    block = bytearray(os.urandom(object_mb * MB))
    for number in range(max(1, total_mb // object_mb)):
        block[:8] = number.to_bytes(8, "big")  # every object distinct
        object_put_stream(source=BytesIO(block), mime="application/octet-stream")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--total-mb", type=int, default=2048)
    parser.add_argument("--object-mb", type=int, default=8)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="khoso-bench-fixity-", dir=args.dir))
    os.environ.update({"KHOSO_DATA_DIR": str(scratch), "KHOSO_DEBUG": "false"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoso.config.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from khoso.preservation import selectors, services
        from khoso.preservation.consistency import replica_problems
        from khoso.preservation.models import StorageLocation
        from khoso.storage.services import object_store

        call_command("migrate", verbosity=0)
        print(f"Tạo {args.total_mb} MB đối tượng / creating objects in {scratch} …", flush=True)
        make_objects(args.total_mb, args.object_mb)
        store = object_store()
        paths = [store.path_for(sha) for sha in store.iter_digests()]
        total_bytes = sum(path.stat().st_size for path in paths)
        cores = os.cpu_count() or 1

        evict(paths)
        disk = dd_direct_rate(paths)
        per_core = hashlib_rate_per_core()
        coreutils = sha256sum_rate(paths, total_bytes)
        services.replicas_sync()
        evict(paths)
        started = time.perf_counter()
        run = services.audit(scope=selectors.scope_everything())
        audit_rate = run.bytes_checked / MB / (time.perf_counter() - started)

        StorageLocation.objects.create(name="Bản sao đo thử / bench replica", path=str(scratch / "replica"))
        services.replicate_pending()
        started = time.perf_counter()
        cheap = replica_problems()
        cheap_seconds = time.perf_counter() - started
        evict([scratch / "replica" / p.relative_to(store.root) for p in paths])
        started = time.perf_counter()
        deep = replica_problems(deep=True)
        deep_rate = total_bytes / MB / (time.perf_counter() - started)

        ceiling = min(x for x in (disk, cores * per_core) if x is not None)
        rows = [
            ("Đĩa, đọc trực tiếp / disk direct read (dd iflag=direct)", disk),
            (f"hashlib.sha256 mỗi lõi / per core (× {cores} lõi / cores)", per_core),
            ("coreutils sha256sum", coreutils),
            (f"Kiểm tra toàn vẹn / khoso audit ({services.audit_threads()} luồng / threads)", audit_rate),
        ]
        print(f"\n{len(paths)} đối tượng / objects, {total_bytes / MB:.0f} MB, {cores} lõi / cores")
        for label, rate in rows:
            print(f"  {label:<64} {'—' if rate is None else f'{rate:8.0f} MB/s'}")
        print("\nMục tiêu / targets:")
        print(f"  audit ≥ 0,9 × min(disk, cores × hash) = {0.9 * ceiling:.0f} MB/s: {audit_rate >= 0.9 * ceiling}")
        if coreutils:
            print(f"  audit ≥ 3 × sha256sum = {3 * coreutils:.0f} MB/s: {audit_rate >= 3 * coreutils}")
        print(f"  findings: {len(run.findings)} (phải là 0 / must be 0)")
        print("\nfsck, bản sao ở nơi lưu trữ thứ hai / replicas in a second location:")
        print(f"  nhanh / cheap (kích thước / sizes): {len(paths) / cheap_seconds:8.0f} đối tượng/s / objects/s")
        print(f"  --deep (SHA-256): {deep_rate:8.0f} MB/s")
        print(f"  findings: {len(cheap.problems) + len(deep.problems)} (phải là 0 / must be 0)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
