# TrigLab — two commands on a fresh machine with Python 3.10/3.11 and g++:
#   make run    create .venv, install the pinned stack, launch the app on the built-in demo
#   make test   same bootstrap, then ruff and the whole test suite, headless
# Installing is idempotent: a stamp keyed on pyproject.toml + requirements.lock skips pip when
# nothing changed.

SHELL := /bin/bash
VENV  ?= .venv
PY    := $(VENV)/bin/python
# The first interpreter found that is 3.10 or 3.11 (override with `make PYTHON=/path/to/python3.11`).
PYTHON ?= $(shell for p in python3.11 python3.10 python3 $$(ls /root/.pyenv/versions/3.1[01].*/bin/python3 2>/dev/null); do \
            command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info[:2] not in ((3,10),(3,11)))' 2>/dev/null && { command -v $$p; break; }; \
          done)
I18N_TS := resources/i18n/triglab_it.ts
I18N_QM := resources/i18n/triglab_it.qm
STAMP := $(VENV)/.triglab-stamp-$(shell cat pyproject.toml requirements.lock 2>/dev/null | sha256sum | cut -c1-16)

.PHONY: run test bench lint format check-tools check-display clean lock demo i18n

run: $(STAMP) $(I18N_QM) check-display
	$(VENV)/bin/triglab --demo

test: $(STAMP) $(I18N_QM)
	$(VENV)/bin/ruff check core app tests bench
	$(VENV)/bin/ruff format --check core app tests bench
	QT_QPA_PLATFORM=offscreen TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m pytest -q tests

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen TF_CPP_MIN_LOG_LEVEL=2 $(PY) bench/run_all.py

lint: $(STAMP)
	$(VENV)/bin/ruff check core app tests bench

format: $(STAMP)
	$(VENV)/bin/ruff format core app tests bench
	$(VENV)/bin/ruff check --fix core app tests bench

# Translations: collect every tr()/translate()/QT_TRANSLATE_NOOP text of app/ and core/ into the
# Italian catalogue (existing translations kept, texts no longer in the code dropped), then compile
# it. Translate the new entries in the .ts (Qt Linguist: pyside6-linguist), run `make i18n` again and
# commit both files. `run` and `test` only recompile the .qm when the .ts is newer.
i18n: $(STAMP)
	$(VENV)/bin/pyside6-lupdate $$(find app core -name '*.py' | sort) -ts $(I18N_TS) \
	  -target-language it_IT -locations none -no-obsolete
	$(VENV)/bin/pyside6-lrelease $(I18N_TS) -qm $(I18N_QM)

$(I18N_QM): $(I18N_TS) | $(STAMP)
	$(VENV)/bin/pyside6-lrelease $(I18N_TS) -qm $(I18N_QM)

# Headless demo pipeline (what `make run` shows, without a window).
demo: $(STAMP)
	TF_CPP_MIN_LOG_LEVEL=2 $(VENV)/bin/triglab-cli demo

check-tools:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "TrigLab needs Python 3.10 or 3.11 (TensorFlow 2.14, which hls4ml/QKeras need, has no wheels for newer Pythons)."; \
	  echo "Found: $$(python3 --version 2>&1 || echo 'no python3')."; \
	  echo "Install python3.11 (e.g. 'apt-get install python3.11 python3.11-venv' or pyenv) and run make again,"; \
	  echo "or point make at it: make PYTHON=/path/to/python3.11 test"; exit 1; fi
	@command -v g++ >/dev/null 2>&1 || { \
	  echo "TrigLab needs g++: hls4ml's bit-accurate C simulation compiles the model with it."; \
	  echo "Install it (Debian/Ubuntu: 'apt-get install g++') and run make again."; exit 1; }

$(STAMP): pyproject.toml requirements.lock | check-tools
	@test -x $(PY) && $(PY) -c 'import sys; sys.exit(sys.version_info[:2] not in ((3,10),(3,11)))' || { \
	  rm -rf $(VENV); echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade "pip>=23.1"
	$(PY) -m pip install --quiet --constraint requirements.lock -e ".[dev]"
	@rm -f $(VENV)/.triglab-stamp-*
	@touch $@

check-display:
	@$(PY) -m app.display_check

# Re-resolve the full set after changing a pin in pyproject.toml (then commit requirements.lock).
# Resolve on the oldest supported Python (3.10) so that every pinned version also installs there.
LOCK_PYTHON ?= $(shell command -v python3.10 || echo $(PYTHON))
lock:
	rm -rf .venv-lock && $(LOCK_PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -e ".[dev]"
	.venv-lock/bin/pip freeze --exclude-editable | grep -v '^triglab' > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
