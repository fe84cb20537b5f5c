#!/usr/bin/env bash
# One entry point for people and CI (see README):
#   ./run.sh serve [--port N] [--host ADDR] [--data DIR]  install, then start the dashboard
#   ./run.sh test  [pytest options]                       install everything tests need, run them
#   ./run.sh lint                                         format check, lint, type check
#   ./run.sh mutants                                      mutation testing (tests/README.md)
set -euo pipefail
cd "$(dirname "$0")"
VENV="${VENV:-.venv}"

apt_install() {
    # Debian packages the tests need, installed when missing (waiting for another apt to finish)
    command -v dpkg >/dev/null 2>&1 || { echo "dpkg がないため Debian パッケージの確認を省略します: $*"; return; }
    local missing=()
    for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
    [ ${#missing[@]} -eq 0 ] && return
    if [ "$(id -u)" -eq 0 ]; then
        apt-get -o DPkg::Lock::Timeout=600 update -qq
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
            --no-install-recommends "${missing[@]}"
    else
        echo "次の Debian パッケージが必要です: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
}

install() {
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || { echo "Python 3.11 以上が必要です。" >&2; exit 1; }
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV" || { apt_install python3-venv && python3 -m venv "$VENV"; }
    fi
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".$1"
}

checkers_install() {
    # the W3C Nu HTML Checker (vnu.jar, runs on Java) and axe-core (WCAG rules, injected into
    # pages in Chromium) from the npm registry, kept in .tools/
    [ -f .tools/node_modules/vnu-jar/build/dist/vnu.jar ] \
        && [ -f .tools/node_modules/axe-core/axe.min.js ] && return
    command -v java >/dev/null 2>&1 || apt_install default-jre-headless
    command -v npm >/dev/null 2>&1 || apt_install npm
    npm install --silent --no-audit --no-fund --prefix .tools vnu-jar@26.9.27 axe-core@4.11.0
}

command="${1:-}"
shift || true
case "$command" in
    serve)
        install ""
        exec "$VENV/bin/briefing" serve "$@"
        ;;
    test)
        # a headless browser, Japanese fonts for its pages, pdftotext for the printed briefing,
        # and what checks the deployment examples in docs/deploy (nginx -t, openssl for a test
        # certificate, systemd-analyze verify); tests run nginx in the foreground on free ports
        apt_install chromium fonts-noto-cjk poppler-utils nginx openssl systemd
        checkers_install
        install "[test]"
        # one test file per worker process, two at a time (TEST_WORKERS=0: one process); xdist
        # starts with the files of most tests (quick ones, one core each) and ends with the
        # browser files, whose processes keep both cores busy while a test waits: a run with the
        # browser files first left the CPU idle about a quarter of the time
        exec "$VENV/bin/python" -m pytest -n "${TEST_WORKERS:-2}" --dist loadfile "$@"
        ;;
    mutants)
        # mutation testing (tests/README.md; not part of CI) of pyproject.toml's [tool.mutmut]
        # modules. Without names, mutants/ is kept and only mutants not yet tested run: those of
        # functions changed since the last run (a first run tests them all). Names (globs) re-run
        # those mutants whatever their result. MUTANT_CHILDREN sets the parallel runs.
        install "[test,mutants]"
        "$VENV/bin/mutmut" run --max-children "${MUTANT_CHILDREN:-2}" "$@"
        "$VENV/bin/python" tests/mutation_score.py "$@"
        ;;
    lint)
        install "[test]"
        "$VENV/bin/ruff" format --check briefing widgets tests benchmarks
        "$VENV/bin/ruff" check briefing widgets tests benchmarks
        "$VENV/bin/mypy"
        ;;
    *)
        echo "使い方: ./run.sh serve | test | lint | mutants" >&2
        exit 2
        ;;
esac
