# Hygie — developer and first-run targets. Quick start: `make run`, then `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HYGIE := $(BIN)/hygie
export HYGIE_HOME ?= $(CURDIR)/var

.PHONY: run test fuzz bench bench-phi bench-phi-fields bench-detect bench-ingest bench-scan-memory bench-devices bench-discovery bench-awareness bench-intel lint clean install install-dev install-bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when the project definition changes (the package itself is editable).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-dev
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
install-bench: $(VENV)/.installed-bench

## run: install, migrate, load the demo into an empty database, create the first admin, serve
run: install
	$(HYGIE) migrate
	$(HYGIE) demo --if-empty
	$(HYGIE) createadmin --if-missing
	$(HYGIE) serve

## test: dev dependencies, layering contracts, then the whole suite (engines, apps, browser)
## test: TEST_WORKERS pytest processes. The suite spends most of its time waiting (live servers,
## Chromium, SMTP/IMAP/TAXII peers, subprocesses), so twice the cores keeps the cores busy: on
## this 2-core machine, 2 workers left them ~35 % used and took 24 min.
## Each worker's SQLite test database is built from the models (--no-migrations: ~7 s of CPU less
## per worker); tests/apps/core/test_migrations.py keeps the migrations equal to the models, the
## CLI tests run `hygie migrate` for real and CI's PostgreSQL run migrates its test database.
TEST_WORKERS ?= 4
test: install-dev
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist worksteal --no-migrations --durations=15 tests || [ $$? -eq 5 ]

## fuzz: every parser of outside input under atheris, FUZZ_TIME s each (two at a time); fails on
## any crash, hang or memory excess. One target longer: .venv/bin/python -m tests.fuzz evtx --time 600
FUZZ_TIME ?= 20
fuzz: install-dev
	$(BIN)/python -m tests.fuzz --time $(FUZZ_TIME)

## bench: every benchmark in bench/, each printing Hygie's and the peer's figures side by side
bench: bench-phi bench-phi-fields bench-detect bench-ingest bench-scan-memory bench-devices

## bench-phi: PHI discovery, Hygie (fast and NER modes) vs Presidio
bench-phi: install-bench
	$(BIN)/python bench/bench_phi.py

## bench-phi-fields: PHI-bearing field recall/precision on HL7 v2 (truth: v2.5.1 definitions), FHIR, C-CDA: value-only vs field map
bench-phi-fields: install-bench
	$(BIN)/python bench/bench_phi_fields.py

## bench-detect: Sigma detection, hygie hunt vs the real Zircolite (peers/zircolite, own venv), cold and warm, 100,000 events
bench-detect: install-bench
	$(BIN)/python bench/bench_detect.py

## bench-ingest: live syslog over TCP, parse + detection + storage: events/s and loss (target 20,000)
bench-ingest: install-bench
	$(BIN)/python bench/bench_ingest.py

## bench-scan-memory: hygie scan on 43 and 250 MB CSV/text: peak RSS (target < 300 MB) and MB/s
bench-scan-memory: install-bench
	$(BIN)/python bench/bench_scan_memory.py

## bench-devices: 250,000 NVD records + ICSMA advisories, 10,000 devices: import, match, memory, vs a naive scan
bench-devices: install-bench
	$(BIN)/python bench/bench_devices.py

## bench-discovery: passive discovery, pcap reader and whole analysis on a generated capture (frames/s)
bench-discovery: install-dev
	$(BIN)/python bench/bench_discovery.py

## bench-intel: IOC matching, 1,000,000 indicators: detection pipeline events/s with and without indicator matching (target < 10 % loss)
bench-intel: install-bench
	$(BIN)/python bench/intel/bench_ingest_intel.py

## bench-awareness: 5,000-recipient campaign to a local SMTP sink (mails/s unthrottled and at a configured rate); tracking endpoints req/s and p95 under load from a second process
bench-awareness: install-dev
	$(BIN)/python bench/awareness/bench_awareness.py

## lint: ruff (rules and format), mypy (the whole package; strict on lib and engines), layering
lint: install-dev
	$(BIN)/ruff check hygie tests bench
	$(BIN)/ruff format --check hygie tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

## clean: caches and build output (keeps .venv and the data folder var/)
clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis test-results
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
