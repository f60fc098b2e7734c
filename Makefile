# learnbot: `make demo` to try it in the terminal, `make test` to run every check and test.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
STAMP := $(VENV)/.installed

export HF_HUB_OFFLINE := 1
export HF_HUB_DISABLE_PROGRESS_BARS := 1
export TRANSFORMERS_VERBOSITY := error
export TOKENIZERS_PARALLELISM := false
export ANONYMIZED_TELEMETRY := False
export OPENBLAS_NUM_THREADS := 1

.PHONY: setup demo check test fuzz bench soak clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "learnbot needs Python 3.11 or newer"'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# The CPU build of torch first: a bare `torch` requirement would pull a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: setup
	$(VENV)/bin/learnbot init --sample
	$(VENV)/bin/learnbot chat --user demo

check: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: setup check
	$(VENV)/bin/pytest

# The security fuzzers with 10,000 examples per endpoint and a fresh seed (a few minutes).
fuzz: setup
	LEARNBOT_FUZZ_EXAMPLES=10000 $(VENV)/bin/pytest -q -p no:cacheprovider tests/security/test_fuzz.py

bench: setup
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

# A local cluster under load with kills (PostgreSQL on 127.0.0.1:5432; see BENCHMARKS.md "Soak").
# Override the size: make soak SOAK_ARGS="--learners 200 --minutes 1 --kills 1"
SOAK_ARGS ?= --learners 1000 --minutes 5 --kills 2
soak: setup
	$(PY) bench/soak.py $(SOAK_ARGS)

clean:
	rm -rf $(VENV) .learnbot .pytest_cache .mypy_cache .ruff_cache
