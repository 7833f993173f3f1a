#!/usr/bin/env bash
# Runs scenario.mjs (Microsoft's @microsoft/microsoft-graph-client) against a fresh Roster.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
(cd "$here" && npm ci --no-audit --no-fund --silent)
exec "$here/../with-server.sh" node "$here/scenario.mjs"
