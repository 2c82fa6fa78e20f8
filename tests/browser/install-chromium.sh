#!/usr/bin/env bash
# Debian's chromium for the browser tests: installed with apt-get when missing (as root, as
# on CI). Playwright drives it through executable_path; its own browser download is never used.
set -euo pipefail
CHROMIUM="${DESK_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "browser tests need $CHROMIUM: install Debian's chromium package (apt-get install chromium)" >&2
  exit 1
fi
echo "installing Debian's chromium for the browser tests"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
test -x "$CHROMIUM"
