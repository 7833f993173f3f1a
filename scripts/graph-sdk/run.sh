#!/usr/bin/env bash
# Runs scenario.py (Microsoft's msgraph-sdk for Python) against a fresh Roster.
# Creates a virtual environment with the pinned SDK on first use.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv=${ROSTER_GRAPH_SDK_VENV:-$root/target/graph-sdk-venv}
if ! "$venv/bin/python" -c 'import msgraph' 2> /dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet msgraph-sdk==1.65.0
fi
exec "$root/scripts/with-server.sh" "$venv/bin/python" "$root/scripts/graph-sdk/scenario.py"
