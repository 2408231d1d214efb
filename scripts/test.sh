#!/usr/bin/env bash
# The whole suite, as CI runs it: lint, every test on SQLite, then the database tests on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/services.sh

.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "== pytest on SQLite (embedded mode)"
.venv/bin/pytest -q "$@"

echo "== pytest on PostgreSQL (the tests that need no browser)"
DATABASE_URL="${ARGUS_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/argus}" \
  .venv/bin/pytest -q -m "not browser" "$@"
