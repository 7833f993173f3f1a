#!/usr/bin/env bash
# Runs a command against a fresh `roster serve` on loopback, for the client scenarios.
# The command gets ROSTER_ORIGIN (http://127.0.0.1:PORT) and ROSTER_TOKEN (a Global
# Administrator token) in its environment; the server and its data are removed afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --quiet --locked -p roster
roster=${CARGO_TARGET_DIR:-$root/target}/debug/roster
data=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$roster" init --data-dir "$data" --domain contoso.com > /dev/null
ROSTER_TOKEN=$("$roster" token issue --data-dir "$data" --role "Global Administrator" --name scenario 2> /dev/null)
"$roster" serve --data-dir "$data" --listen "127.0.0.1:$port" > "$data/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2> /dev/null; wait "$server" 2> /dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/health')" 2> /dev/null && break
  sleep 0.1
done
export ROSTER_ORIGIN="http://127.0.0.1:$port" ROSTER_TOKEN
"$@"
