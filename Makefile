# Two commands a newcomer needs (see README): `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: install demo test lint bench-quick

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/puente demo

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy

test: install lint
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-weasyprint.sh
	PUENTE_TEST_PG_URL=$(PG_URL) $(PY) -m pytest -q -m "not slow" -n 2 --dist loadfile

bench-quick: install
	for b in bench/*.py; do $(PY) $$b --quick || exit 1; done
