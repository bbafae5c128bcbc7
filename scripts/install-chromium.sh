#!/usr/bin/env bash
# Install a headless-capable Chromium for the report tests (tests/report/test_browser.py).
#
# Idempotent: does nothing when chromium, chromium-browser or google-chrome is already on PATH.
# Otherwise installs Debian's `chromium` package with apt-get (through sudo when not root and
# sudo exists). Never fails the build: when it cannot install, it prints a warning and exits 0,
# and the browser test then fails with a message pointing back here.
set -u

for name in chromium chromium-browser google-chrome google-chrome-stable; do
    if path="$(command -v "$name" 2>/dev/null)"; then
        echo "install-chromium: found $name at $path; nothing to do"
        exit 0
    fi
done

warn() {
    echo "install-chromium: WARNING: $*" >&2
    echo "install-chromium: the headless-browser report test will fail until a chromium" \
        "binary (chromium, chromium-browser or google-chrome) is on PATH" >&2
    exit 0
}

if ! command -v apt-get >/dev/null 2>&1; then
    warn "apt-get not found; install Chromium with your system's package manager"
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    warn "not root and sudo is not available; cannot run apt-get"
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-chromium: running ${SUDO:+$SUDO }apt-get update"
$SUDO apt-get update -q || warn "apt-get update failed"
echo "install-chromium: running ${SUDO:+$SUDO }apt-get install -y chromium"
$SUDO apt-get install -y -q --no-install-recommends chromium || warn "apt-get install chromium failed"

if path="$(command -v chromium 2>/dev/null)"; then
    echo "install-chromium: installed $path ($("$path" --version 2>/dev/null || echo 'version unknown'))"
else
    warn "apt-get finished but no chromium binary is on PATH"
fi
