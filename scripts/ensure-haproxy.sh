#!/usr/bin/env bash
# Makes sure HAProxy (Debian's package) is installed: the end-to-end test of
# deploy/haproxy.cfg runs a real one. CI may start from a fresh machine, so the test calls
# this when `haproxy` is missing. Needs root (apt-get), as the CI image has.
set -euo pipefail

if command -v haproxy >/dev/null 2>&1; then
  exit 0
fi
echo "ensure-haproxy: installing Debian's haproxy package"
export DEBIAN_FRONTEND=noninteractive
# Several test runs (or engineers) on one machine: one apt at a time.
exec 9>/tmp/hopgate-apt.lock
flock 9
if ! command -v haproxy >/dev/null 2>&1; then
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends haproxy >/dev/null
fi
haproxy -v | head -1
