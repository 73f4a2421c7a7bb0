#!/usr/bin/env bash
# Proves scripts/services.sh on a machine where MariaDB and Redis are not installed, without
# touching this one: an overlay of this machine's root filesystem in a private mount
# namespace (every write lands in a throw-away upper layer), with MariaDB and Redis purged
# inside it. Then:
#   1. services.sh installs them from Debian's packages (apt-get update, install). apt needs
#      the network, so this runs on the host's network, where the host's own MariaDB and Redis
#      answer on loopback: phase 1 proves the install;
#   2. in a fresh network namespace (its own loopback, nothing listening) and a fresh PID
#      namespace (everything it starts dies with it), services.sh starts them, and hopgate's
#      way in is checked: root over TCP with an empty password, Redis PING;
#   3. as a user other than root, services.sh names the packages and the command to run.
# Run as root: `bash scripts/test-fresh-machine.sh` (a minute or three; not part of npm test).
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "test-fresh-machine: run as root" >&2; exit 1; }
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /var/tmp/hopgate-fresh.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/upper" "$work/work" "$work/root"

unshare --mount --propagation private bash -s "$work" "$repo" <<'INNER'
set -euo pipefail
work=$1 repo=$2 root=$1/root
mount -t overlay overlay -o "lowerdir=/,upperdir=$work/upper,workdir=$work/work" "$root"
mount --rbind /dev "$root/dev"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount -t tmpfs tmpfs "$root/run"
mount -t tmpfs tmpfs "$root/tmp"
mkdir -p "$root/hopgate"
mount --bind "$repo" "$root/hopgate"
# As in Debian's container images: packages do not start services themselves (the host's
# MariaDB holds port 3306 in phase 1); services.sh starts them.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root bash -c "$1"; }

echo "== a machine without MariaDB and Redis"
in_root 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "mariadb-*" "redis-*" >/dev/null 2>&1;
         DEBIAN_FRONTEND=noninteractive apt-get autoremove -y -q --purge >/dev/null 2>&1;
         rm -rf /var/lib/mysql /var/lib/redis /etc/mysql;
         for c in mariadbd mysqladmin mariadb redis-server redis-cli; do
           if command -v $c || [ -x /usr/sbin/$c ]; then echo "still there: $c"; exit 1; fi
         done; echo "mariadbd, mysqladmin, mariadb, redis-server, redis-cli: not installed"'

echo "== 3. not root: says what to run"
if in_root 'setpriv --reuid=65534 --regid=65534 --clear-groups bash /hopgate/scripts/services.sh'; then
  echo "FAIL: services.sh succeeded without root on a machine lacking the packages" >&2; exit 1
fi

echo "== 1. services.sh installs them"
in_root 'bash /hopgate/scripts/services.sh' 2>&1 | grep -v -E '^(Get|Selecting|Preparing|Unpacking|Setting up|Processing|Created symlink|Reading|Building|Fetched|Hit|Ign)' || true
in_root 'command -v mariadbd mysqladmin redis-server redis-cli >/dev/null || [ -x /usr/sbin/mariadbd ]' || { echo "FAIL: not installed" >&2; exit 1; }

echo "== 2. services.sh starts them in a fresh network namespace"
unshare --net --pid --fork chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root bash -c '
  set -e
  ip link set lo up
  if mysqladmin -uroot -h127.0.0.1 ping >/dev/null 2>&1; then echo "FAIL: something already listens" >&2; exit 1; fi
  bash /hopgate/scripts/services.sh
  echo "MariaDB as hopgate connects (root over TCP, empty password): $(mariadb -uroot -h127.0.0.1 -N -e "SELECT VERSION()")"
  echo "Redis: $(redis-cli -h 127.0.0.1 -p 6379 ping)"
'
echo "== fresh machine: OK"
INNER
