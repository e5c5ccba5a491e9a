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

.PHONY: run test bench numbers lint format check-tools check-display clean lock demo i18n

run: $(STAMP) $(I18N_QM) check-display
	$(VENV)/bin/triglab --demo

test: $(STAMP) $(I18N_QM)
	$(VENV)/bin/ruff check core app tests bench
	$(VENV)/bin/ruff format --check core app tests bench
	QT_QPA_PLATFORM=offscreen TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m pytest -q tests

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen TF_CPP_MIN_LOG_LEVEL=2 $(PY) bench/run_all.py

# README's generated numbers (hands-on 2 with its seeds, the label study): ~10 min on 2 cores
numbers: $(STAMP)
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) bench/readme_numbers.py
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) bench/label_study.py

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
	.venv-lock/bin/pip install --quiet -e ".[dev,bundle]"
	{ echo "# Full resolved set (pip freeze), installed by \`make\` as a constraint. Resolved on Python 3.10 so that"; \
	  echo "# the same versions install on 3.10 and 3.11 (the bundle extra included). Regenerate with \`make lock\`."; \
	  .venv-lock/bin/pip freeze --exclude-editable | grep -v '^triglab' | LC_ALL=C sort -f; } > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache

# --- installer (README "Installer") -------------------------------------------------------------
# `make bundle`: the one-folder bundle dist/triglab/ (pyinstaller.spec), runs without Python. It is
# built in its own environment, build/bundle-venv: every pin of requirements.lock (the `bundle` extra's
# PyInstaller included) installed as is, except TensorFlow, which is the CPU build of the same version
# (tensorflow-cpu==2.14.1: no CUDA kernels, 350 MB less; the app never uses a GPU).
# `make bundle-test`: (re)builds it, then its self-test with no virtual environment on PATH (C-sim needs g++).
# `make install-desktop`: menu entry + icon for this user (the bundle if built, else the venv).
.PHONY: bundle bundle-test install-desktop
BUNDLE_VENV := build/bundle-venv
BUNDLE_STAMP := $(BUNDLE_VENV)/.triglab-stamp-$(shell cat pyproject.toml requirements.lock 2>/dev/null | sha256sum | cut -c1-16)
BUNDLE_EXE := dist/triglab/triglab
XDG_DATA_HOME ?= $(HOME)/.local/share
ICON_THEME := $(XDG_DATA_HOME)/icons/hicolor

$(BUNDLE_STAMP): pyproject.toml requirements.lock | check-tools
	rm -rf $(BUNDLE_VENV) && $(PYTHON) -m venv $(BUNDLE_VENV)
	$(BUNDLE_VENV)/bin/python -m pip install --quiet --upgrade "pip>=23.1"
	sed -e 's/^tensorflow==/tensorflow-cpu==/' requirements.lock > $(BUNDLE_VENV)/requirements-cpu.txt
	$(BUNDLE_VENV)/bin/python -m pip install --quiet --no-deps -r $(BUNDLE_VENV)/requirements-cpu.txt
	@touch $@

bundle: $(BUNDLE_STAMP)
	time TF_CPP_MIN_LOG_LEVEL=3 PYTHONPATH=$(CURDIR) $(BUNDLE_VENV)/bin/pyinstaller --noconfirm --log-level WARN pyinstaller.spec
	@du -sh dist/triglab

bundle-test: bundle
	env -i PATH=/usr/bin:/bin HOME="$(HOME)" $(BUNDLE_EXE) --self-test

install-desktop:
	@if [ -x $(BUNDLE_EXE) ]; then exe="$(CURDIR)/$(BUNDLE_EXE)"; \
	elif [ -x $(VENV)/bin/triglab ]; then exe="$(abspath $(VENV))/bin/triglab"; \
	else echo "Nothing to launch yet: run 'make bundle' (or 'make run' for the virtual environment) first."; exit 1; fi; \
	for s in 16 32 48 64 128 256; do \
	  install -D -m 644 resources/icons/triglab-$$s.png "$(ICON_THEME)/$${s}x$${s}/apps/triglab.png"; done; \
	install -D -m 644 resources/icons/triglab.svg "$(ICON_THEME)/scalable/apps/triglab.svg"; \
	mkdir -p "$(XDG_DATA_HOME)/applications"; \
	sed -e "s|@EXEC@|\"$$exe\"|" -e "s|@ICON@|$(ICON_THEME)/256x256/apps/triglab.png|" \
	  resources/triglab.desktop > "$(XDG_DATA_HOME)/applications/triglab.desktop"; \
	command -v update-desktop-database >/dev/null && update-desktop-database -q "$(XDG_DATA_HOME)/applications" || true; \
	echo "Installed $(XDG_DATA_HOME)/applications/triglab.desktop (runs $$exe)"
