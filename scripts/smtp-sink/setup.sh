#!/usr/bin/env bash
# Creates the virtual environment with aiosmtpd that the mail tests run their SMTP sink
# in (crates/server/tests/mail.rs). Set ROSTER_SMTP_SINK_VENV to put it elsewhere.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv=${ROSTER_SMTP_SINK_VENV:-$root/target/smtp-sink-venv}
if ! "$venv/bin/python" -c 'import aiosmtpd' 2> /dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet aiosmtpd==1.4.6
fi
"$venv/bin/python" -c 'import aiosmtpd; print("aiosmtpd", aiosmtpd.__version__, "in", "'"$venv"'")'
