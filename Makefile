.PHONY: run test lint bench

run:  ## set up on a fresh machine and run Argus with the demo project on 127.0.0.1:8000
	scripts/run.sh

test:  ## set up on a fresh machine and run the whole suite (SQLite, then PostgreSQL)
	scripts/test.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

bench:
	.venv/bin/python bench/api_bench.py
	.venv/bin/python bench/engine_bench.py
	.venv/bin/python -m bench.healing.run
