#!/usr/bin/env bash
# Runs scenario.py (Microsoft's msgraph-sdk) against a fresh `roster serve` on loopback.
# Creates a virtual environment with the pinned SDK on first use.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv=${ROSTER_GRAPH_SDK_VENV:-$root/target/graph-sdk-venv}
if ! "$venv/bin/python" -c 'import msgraph' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet msgraph-sdk==1.65.0
fi
cargo build --quiet --locked -p roster
roster=$root/target/debug/roster
data=$(mktemp -d)
port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$roster" init --data-dir "$data" --domain contoso.com > /dev/null
token=$("$roster" token issue --data-dir "$data" --role "Global Administrator" --name graph-sdk 2> /dev/null)
"$roster" serve --data-dir "$data" --listen "127.0.0.1:$port" > "$data/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2> /dev/null; wait "$server" 2> /dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  "$venv/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/health')" 2> /dev/null && break
  sleep 0.1
done
"$venv/bin/python" "$root/scripts/graph-sdk/scenario.py" "http://127.0.0.1:$port/v1.0" "$token"
