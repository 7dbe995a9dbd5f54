#!/usr/bin/env bash
# Installs the peer tools the sharing tests run (requirements.txt) into a virtual
# environment, once: target/peers/venv. The tests find it there, or at $BELTWATCH_PEERS.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${BELTWATCH_PEERS:-$root/target/peers/venv}"
stamp="$venv/.requirements"
if [[ -x "$venv/bin/python" && -f "$stamp" ]] && cmp -s "$stamp" "$root/scripts/peers/requirements.txt"; then
    exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/scripts/peers/requirements.txt"
cp "$root/scripts/peers/requirements.txt" "$stamp"
echo "peer tools installed in $venv"
