# The course's commands. `make book` builds the site, `make test` runs every
# test; both create the virtual environment .venv from requirements.txt first.
# The site's in-browser exercises also need Node.js and npm: the build runs
# `npm ci` in lite/ for the Pyodide runtime (book/_ext/in_browser.py).
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
# nbgrader runs `alembic` from PATH when it creates a gradebook
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: book test test-fast lint bench bench-grading bench-startup bench-lite grade serve assignments clean

$(VENV)/installed: requirements.txt pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet -r requirements.txt
	touch $@

book: $(VENV)/installed
	mkdir -p _build
	jupyter-book build . -W --keep-going 2>&1 | tee _build/build.log
	@! grep -q "WARNING" _build/build.log || { echo "the build logged warnings (see _build/build.log)"; exit 1; }
	@echo "Site built: open $(CURDIR)/_build/html/index.html (or run 'make serve')"

# Every test, the linter first, on every core (pytest-xdist): the tests that share the built site
# run on one worker, those that share the graded class on one (tests/README.md); the ten slowest
# are listed at the end, so that a test that got slower shows the day it did
TEST_CORES ?= auto
test: $(VENV)/installed lint
	python -m pytest -n $(TEST_CORES) --dist loadgroup --durations=10

# The unit tests alone (no site build, no nbgrader, no browser): under 45 s, for day-to-day work;
# an idle worker takes tests from a busy one (worksteal), since a few of them take seconds
test-fast: $(VENV)/installed
	python -m pytest -n $(TEST_CORES) --dist worksteal tests/unit

lint: $(VENV)/installed
	ruff check .

# Training speed as ratios measured side by side (see benchmarks/bench.py)
bench: $(VENV)/installed
	python benchmarks/bench.py

# Grading speed: plain nbgrader vs `make grade`, here and on a Dask cluster of this machine
# (see benchmarks/grading.py) -> benchmarks/results/grading.json
bench-grading: $(VENV)/installed
	python benchmarks/grading.py

# Only what make grade pays before its first notebook (a first run, a second, one student
# graded again), in a few minutes -> "startup" in benchmarks/results/grading.json
bench-startup: $(VENV)/installed
	python benchmarks/grading.py --startup

# The in-browser exercises (JupyterLite) in Chromium, after `make book`: seconds to a ready
# kernel from an empty cache, and to run a solved exercise -> benchmarks/results/in_browser.json
bench-lite: $(VENV)/installed
	python benchmarks/lite_bench.py

# Grade every submission in submitted/<student>/<assignment>/ (instructors):
# writes grades.csv, feedback/ and report.html; WORKERS=n sets how many run at once;
# SCHEDULER=tcp://HOST:PORT grades on that Dask cluster instead (grader/cluster.py)
grade: $(VENV)/installed
	python -m grader $(if $(WORKERS),--workers $(WORKERS)) $(if $(ASSIGNMENT),--assignment "$(ASSIGNMENT)") \
		$(if $(STUDENT),--student "$(STUDENT)")

serve: $(VENV)/installed
	@echo "Serving the site at http://127.0.0.1:8000/ (Ctrl-C stops)"
	python -m http.server --bind 127.0.0.1 --directory _build/html 8000

# Regenerate the student copies in exercises/ from solutions/, and what their visible checks know of
# the catalogued mistakes, coursework/examples.txt (instructors)
assignments: $(VENV)/installed
	for dir in solutions/*/; do nbgrader generate_assignment "$$(basename $$dir)" --force --no-db; done
	python -m grader.visible

clean:
	rm -rf _build _grading
