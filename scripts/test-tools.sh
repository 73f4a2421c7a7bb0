#!/usr/bin/env bash
# Installs the Debian tools hopgate's tests use besides MariaDB and Redis, when missing:
#   systemd-analyze, systemd-notify (package systemd): the unit files are verified and the
#     notify protocol is spoken through systemd-notify (test/integration/deploy.test.ts,
#     systemd-notify.test.ts);
#   python3 (package python3-minimal): the test's notify socket listener (Node has no unix
#     datagram sockets; test/helpers/notify-socket.ts).
set -euo pipefail
. "$(dirname "$0")/lib/apt-install.sh"

missing=()
have systemd-analyze && have systemd-notify || missing+=(systemd)
have python3 || missing+=(python3-minimal)
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi
