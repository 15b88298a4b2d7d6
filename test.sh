#!/usr/bin/env bash
# Kho Số — the whole test suite: lint and type check, then pytest on SQLite, then again on PostgreSQL + Redis with
# a real Celery worker (the servers this machine runs at 127.0.0.1:5432 and :6379) for every test that reaches
# the database (tests/conftest.py leaves out of that pass the ones that cannot).
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/pytest ] || ./install.sh --no-start
export OMP_THREAD_LIMIT=1 PYTHONDONTWRITEBYTECODE=1
unset KHOSO_DATABASE_URL KHOSO_BROKER_URL
export KHOSO_DATA_DIR="${TMPDIR:-/tmp}/khoso-test-data-$$"
trap 'rm -rf "$KHOSO_DATA_DIR"' EXIT

.venv/bin/ruff check src tests bench
.venv/bin/mypy src/khoso

echo "== pytest: SQLite (embedded default)"
.venv/bin/pytest -q -p no:cacheprovider -n 2 -m "not postgres and not worker" "$@"

echo "== pytest: PostgreSQL + Redis + Celery worker (the tests that reach the database; the rest ran above)"
export KHOSO_DATABASE_URL="${KHOSO_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/khoso}"
export KHOSO_BROKER_URL="${KHOSO_TEST_BROKER_URL:-redis://127.0.0.1:6379/15}"
.venv/bin/pytest -q -p no:cacheprovider -n 2 -m "not browser" "$@"
