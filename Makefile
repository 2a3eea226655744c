# The README's two commands (make demo, make test) do all set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export QT_QPA_PLATFORM ?= offscreen

.PHONY: demo run test lint format bench bundle bundle-check screenshots clean

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
	  ./dist/warroom/warroom --data-dir "$$d" incident new "Bundle check" >/dev/null && \
	  ./dist/warroom/warroom --data-dir "$$d" log latest '**bold** <b>raw</b>' >/dev/null && \
	  ./dist/warroom/warroom --data-dir "$$d" export latest --format html -o "$$d/x.html" && \
	  grep -q '<strong>bold</strong> &lt;b&gt;raw&lt;/b&gt;' "$$d/x.html" \
	    || { echo "bundled Markdown renderer (pyromark) failed"; exit 1; }; \
	  echo "bundle-check: ok ($$(du -sh dist/warroom | cut -f1))"

# The README's pictures: the built-in outage at 2x, caught in its total-outage act, at
# both window sizes, plus page 1 of the handover brief exported from that workspace.
SHOTS := docs/images
screenshots: $(STAMP)
	@command -v pdftoppm >/dev/null || { echo "screenshots need pdftoppm (poppler-utils)"; exit 1; }
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT; \
	  for size in 1280x800 1600x1000; do \
	    HOME=$$d/home-$$size XDG_CONFIG_HOME=$$d/home-$$size/.config QT_QPA_PLATFORM=offscreen \
	      $(BIN)/warroom --demo --demo-speed 2 --data-dir $$d/ws-$$size --size $$size \
	      --screenshot $(SHOTS)/demo-$$size.png --after 32 || exit 1; \
	  done; \
	  $(BIN)/warroom --data-dir $$d/ws-1600x1000 handover latest --format pdf --to "Next shift" \
	    -o $$d/handover.pdf && \
	  pdftoppm -png -r 70 -f 1 -l 1 -singlefile $$d/handover.pdf $(SHOTS)/demo-handover && \
	  ls -l $(SHOTS)/demo-*.png

clean:
	rm -rf build dist .mypy_cache .ruff_cache
