#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/browser): Playwright drives it through
# executable_path, so `playwright install` (which downloads a browser) is never needed.
# Does nothing when /usr/bin/chromium is already there; installs only as root on Debian/Ubuntu.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "chromium is missing and this is not root: the browser tests will be skipped" >&2
    echo "  (install it with: sudo apt-get install -y chromium)" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium is missing and there is no apt-get: the browser tests will be skipped" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo installed)"
