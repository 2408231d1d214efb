#!/usr/bin/env bash
# Set up (first time only does real work) and run an embedded Argus with the demo project.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
.venv/bin/python manage.py seed_demo
exec .venv/bin/python manage.py runargus "$@"
