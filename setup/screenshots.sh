#!/usr/bin/env bash
# Takes the README's screenshots (static/description/screenshots/) of the
# running demo: start it with setup/demo.sh, let its story play for two
# minutes, then run this. Needs Debian's chromium package (apt install
# chromium); installs Playwright, which only drives that Chromium, into the
# suite's virtualenv. Arguments go to setup/screenshots.py (--url, --db...).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

command -v chromium >/dev/null || command -v chromium-browser >/dev/null ||
    die "Chromium is needed: install Debian's package chromium (apt install chromium)."
[ -x "$VENV/bin/python" ] || die "no virtualenv at $VENV: run setup/demo.sh first."
"$VENV/bin/python" -m pip install -q "playwright>=1.40,<2" ||
    die "pip could not install Playwright."
exec "$VENV/bin/python" "$REPO/setup/screenshots.py" "$@"
