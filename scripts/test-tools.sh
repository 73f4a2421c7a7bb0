#!/usr/bin/env bash
# Installs the Debian tools hopgate's tests use besides MariaDB and Redis, when missing:
#   systemd-analyze, systemd-notify (package systemd): the unit files are verified and the
#     notify protocol is spoken through systemd-notify (test/integration/deploy.test.ts,
#     systemd-notify.test.ts);
#   python3 (package python3-minimal): the test's notify socket listener (Node has no unix
#     datagram sockets; test/helpers/notify-socket.ts);
#   chromium: the dashboard test, headless through playwright-core (never a browser download);
#   promtool (package prometheus): checks deploy/prometheus;
#   goaccess: reads the access log with its stock COMBINED format.
set -euo pipefail
. "$(dirname "$0")/lib/apt-install.sh"

missing=()
have systemd-analyze && have systemd-notify || missing+=(systemd)
have python3 || missing+=(python3-minimal)
have chromium || missing+=(chromium)
have promtool || missing+=(prometheus)
have goaccess || missing+=(goaccess)
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi
