# The README's two commands (make demo, make test) do all set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export QT_QPA_PLATFORM ?= offscreen

.PHONY: demo run test lint format bench bundle bundle-check clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	QT_QPA_PLATFORM= $(BIN)/warroom --demo

run: $(STAMP)
	QT_QPA_PLATFORM= $(BIN)/warroom

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check warroom tests bench
	$(BIN)/ruff format --check warroom tests bench
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format warroom tests bench
	$(BIN)/ruff check --fix warroom tests bench

bench: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

bundle: $(STAMP)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN build.spec

bundle-check:
	@test -x dist/warroom/warroom || { echo "no bundle in dist/warroom: run make bundle first"; exit 1; }
	@v=$$(./dist/warroom/warroom --version) && echo "$$v" && \
	  echo "$$v" | grep -Eq '^warroom [0-9]+[.][0-9]+[.][0-9]+$$' || { echo "bundled --version failed"; exit 1; }
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT; \
	  ./dist/warroom/warroom --data-dir "$$d" doctor; rc=$$?; \
	  test $$rc -le 1 || { echo "bundled doctor failed (exit $$rc)"; exit 1; }; \
	  QT_QPA_PLATFORM=offscreen ./dist/warroom/warroom --data-dir "$$d" --screenshot "$$d/shot.png" --after 0.3 \
	    && test -s "$$d/shot.png" || { echo "bundled window did not render offscreen"; exit 1; }; \
	  echo "bundle-check: ok ($$(du -sh dist/warroom | cut -f1))"

clean:
	rm -rf build dist .mypy_cache .ruff_cache
