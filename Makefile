# Two commands do all the set-up on a fresh machine:
#   make run    install (if needed), build the index if missing or stale, start the chat
#   make test   install (if needed), then run the test suite
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export TOKENIZERS_PARALLELISM := false
export OMP_WAIT_POLICY := PASSIVE

.PHONY: install run test test-fast eval bench bench-reader train-reader browser-deps clean-index

install: $(STAMP)

$(STAMP): requirements.txt requirements-nodeps.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check torch==2.13.0
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	$(PIP) install --quiet --disable-pip-version-check --no-deps -r requirements-nodeps.txt
	touch $(STAMP)

# Debian Chromium and a CJK font for the browser test (never `playwright install`).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null) \
	      || echo "browser-deps: could not install chromium; the browser test will be skipped"; \
	  else echo "browser-deps: not root; install chromium and fonts-wqy-microhei to run the browser test"; fi; \
	fi

run: $(STAMP)
	$(PY) app.py

test: $(STAMP) browser-deps
	$(PY) -m pytest -q

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow and not browser"

eval: $(STAMP)
	$(PY) -m evaluation run --testset evaluation/testsets/seed.jsonl --mode hybrid,dense,bm25 --out eval-out/seed

bench: $(STAMP)
	$(PY) -m benchmarks.run

# Train the span reader (about an hour on 2 CPU cores; writes reader/checkpoint/). Never run by test/run.
train-reader: $(STAMP)
	$(PY) -m reader.train

bench-reader: $(STAMP)
	$(PY) -m benchmarks.reader_bench

clean-index:
	rm -rf index/current index/.tmp-* index/.build.lock
