# `make run` and `make test` set everything up from nothing, then run.
# The interpreter: Debian's own Python 3.11 where it is there with venv (built with
# profile-guided and link-time optimisation, the interpreter in one piece rather than calling
# into a shared library: the engine scores about 4% more letters a second, plain Python code
# runs about a third faster), else the first python3 on the PATH. `make PY=...` chooses another.
PY ?= $(shell /usr/bin/python3.11 -c 'import ensurepip, venv, sys; print(sys.executable)' 2>/dev/null || echo python3)
VENV := .venv
BIN := $(VENV)/bin
MADE := $(VENV)/.made-from
STAMP := $(VENV)/.installed
SYSSTAMP := $(VENV)/.system-packages
export VCL_QA_DB ?= $(CURDIR)/var/vcl_qa.db

# The concept classifier (issue 13), trained from the sentences in data/ (no downloaded weights).
MODEL := var/models/concepts
MODEL_INPUTS := $(wildcard data/concept_sentences/*.yml) scripts/train_concept_model.py vcl_qa/engine/classifier.py

# The engine's modules compiled by Cython (scripts/build_compiled.py): a module runs from its
# build only while its source is unchanged (vcl_qa/_compiled.py), so this is for speed alone.
# With GCC the builds are guided by a profile of the engine scoring the sample letters (the
# classifier's model first, so that its code is in the profile too).
COMPILED := var/compiled/manifest.json
ENGINE_SOURCES := $(wildcard vcl_qa/engine/*.py vcl_qa/engine/kinds/*.py) scripts/build_compiled.py vcl_qa/_compiled.py

.PHONY: setup run test bench screenshots clean model compiled FORCE

setup: $(STAMP) $(SYSSTAMP) $(MODEL)/meta.json $(COMPILED)

compiled: $(COMPILED)

$(COMPILED): $(STAMP) $(ENGINE_SOURCES) | $(MODEL)/meta.json
	$(BIN)/python scripts/build_compiled.py --out var/compiled

model: $(MODEL)/meta.json

$(MODEL)/meta.json: $(STAMP) $(MODEL_INPUTS)
	$(BIN)/python scripts/train_concept_model.py --quiet --out $(MODEL)

# The virtual environment, made afresh when it was made from another interpreter (or by an
# older Makefile that did not say which): everything installed and built in it goes with it.
$(MADE): FORCE
	@if [ "$$(cat $@ 2>/dev/null)" != "$(PY)" ]; then \
		echo "Making $(VENV) from $(PY)"; rm -rf $(VENV) && $(PY) -m venv $(VENV) && echo "$(PY)" > $@; fi

$(STAMP): $(MADE) requirements.txt pyproject.toml
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# Debian packages the browser tests need (Chromium); installed once per machine.
$(SYSSTAMP): scripts/system-packages.sh
	bash scripts/system-packages.sh
	touch $(SYSSTAMP)

# The demo database is $(VCL_QA_DB) (var/vcl_qa.db unless VCL_QA_DB is set), as the README says.
run: setup
	$(BIN)/vcl-qa demo-setup
	@echo "To use this database from the command line: export VCL_QA_DB=$(VCL_QA_DB)"
	$(BIN)/vcl-qa serve --host 127.0.0.1 --port 8000

# VCL_QA_EXPECT_COMPILED: tests/test_compiled.py checks the engine runs from its builds.
test: setup
	VCL_QA_EXPECT_COMPILED=1 $(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/bench_score.py
	for set in $$(ls -d bench/holdout* | sort -V); do printf '%s: ' $$set; \
		$(BIN)/python bench/eval_holdout.py --set $$set | tail -n 1; done

# Refresh the screenshots the README shows (the browser tests write them).
screenshots: setup
	VCL_QA_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/browser

clean:
	rm -rf $(VENV) var .pytest_cache

FORCE:
