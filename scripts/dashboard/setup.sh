#!/usr/bin/env bash
# Installs what the dashboard's browser tests need, once: Debian's Chromium
# (/usr/bin/chromium) and the pinned Playwright library of tests/dashboard/ (npm ci).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# Test binaries run at once: one installs while the others wait for it.
mkdir -p "$root/target"
exec 9>"$root/target/dashboard-setup.lock"
flock 9
if [[ ! -x /usr/bin/chromium ]]; then
    if [[ $(id -u) -eq 0 ]]; then
        apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
    else
        sudo apt-get install -y -q chromium >/dev/null
    fi
fi
dir="$root/tests/dashboard"
stamp="$dir/node_modules/.package-lock.json"
if [[ ! -f "$stamp" || "$dir/package-lock.json" -nt "$stamp" ]]; then
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
fi
