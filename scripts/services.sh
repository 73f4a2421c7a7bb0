#!/usr/bin/env bash
# Makes sure the local MariaDB (127.0.0.1:3306, root, empty password) and Redis
# (127.0.0.1:6379) that hopgate's `npm start` and tests use are installed and running:
# on a fresh Debian machine it installs them from Debian's packages (as root; otherwise it
# says what to run), then starts them if they are not running. For a development or CI
# machine only: a production site runs its own MariaDB and Redis (docs/architecture.md).
set -euo pipefail
. "$(dirname "$0")/lib/apt-install.sh"

missing=()
have mariadbd && have mysqladmin && have mariadb || missing+=(mariadb-server mariadb-client)
have redis-server && have redis-cli || missing+=(redis-server redis-tools)
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi

wait_for() { # name, check command
  for _ in $(seq 1 60); do
    if eval "$2" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "services: $1 did not come up" >&2
  return 1
}

if ! mysqladmin -uroot -h127.0.0.1 ping >/dev/null 2>&1; then
  echo "services: starting MariaDB"
  # Debian's init script makes the socket directory; started directly, we do.
  install -d -o mysql -g mysql /run/mysqld
  # Started without systemd or the init script: run it as mysql (Debian sets the user in
  # its unit, not in my.cnf), and keep its messages in a file to show when it fails.
  install -d -o mysql -g adm /var/log/mysql
  start-stop-daemon --start --oknodo --background --exec "$(command -v mariadbd || echo /usr/sbin/mariadbd)" \
    -- --user=mysql --log-error=/var/log/mysql/error.log
  wait_for MariaDB "mysqladmin -uroot -h127.0.0.1 ping" || { tail -n 20 /var/log/mysql/error.log >&2; exit 1; }
fi
# A fresh Debian install lets root in only over the unix socket (unix_socket auth). hopgate
# and its tests connect over TCP as root with an empty password: allow that, on this local
# development server only.
if ! mariadb -uroot -h127.0.0.1 -e 'SELECT 1' >/dev/null 2>&1; then
  echo "services: allowing root over TCP (127.0.0.1) with an empty password"
  mariadb -uroot --protocol=socket -e "
    CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
    GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
    ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
    FLUSH PRIVILEGES;"
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for Redis "redis-cli -h 127.0.0.1 -p 6379 ping"
fi
echo "services: MariaDB and Redis are up"
