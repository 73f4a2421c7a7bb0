# shellcheck shell=bash
# apt_install PACKAGE… — installs Debian packages non-interactively when run as root;
# otherwise prints the exact command to run and fails. Sourced by the scripts beside it.
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "$(basename "$0"): missing Debian packages: $*" >&2
    echo "  run as root:  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $*" >&2
    echo "  (or: sudo bash $0)" >&2
    return 1
  fi
  echo "$(basename "$0"): installing $* from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "$@"
}

# have COMMAND — the command is on PATH or in an sbin directory (not on a user's PATH).
have() {
  command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]
}
