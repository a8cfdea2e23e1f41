#!/bin/sh
# Install Debian's Chromium for the browser tests (tests/test_browser.py), if it
# is missing and this machine can: Playwright's own browser download cannot
# work offline. Without it the browser tests skip, saying why; nothing fails here.
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "scripts/chromium.sh: no apt-get here; the browser tests will skip" >&2
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "scripts/chromium.sh: not root; install chromium to run the browser tests" >&2
  exit 0
fi
echo "scripts/chromium.sh: installing Debian's chromium for the browser tests" >&2
$SUDO apt-get update -qq >/dev/null 2>&1
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null 2>&1 \
  || echo "scripts/chromium.sh: could not install chromium; the browser tests will skip" >&2
exit 0
