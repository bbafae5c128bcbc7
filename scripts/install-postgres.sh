#!/usr/bin/env bash
# Install a PostgreSQL server for the service's database tests (tests/service/), which start
# their own throw-away server with scripts/postgres.sh.
#
# Idempotent: does nothing when an initdb binary is found, on PATH or as
# /usr/lib/postgresql/*/bin/initdb (Debian's layout; Debian puts no initdb on PATH).
# Otherwise installs Debian's `postgresql` package with apt-get (through sudo when not root and
# sudo exists), without creating or starting Debian's default "main" cluster: the tests run
# their own servers. Never fails the build: when it cannot install, it prints a warning and
# exits 0, and the PostgreSQL tests then fail with a message pointing back here.
set -u

find_initdb() {
    local path
    if path="$(command -v initdb 2>/dev/null)"; then
        echo "$path"
        return 0
    fi
    # the highest version first
    path="$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V -r | head -n 1)"
    if [ -x "$path" ]; then
        echo "$path"
        return 0
    fi
    return 1
}

version_of() {
    "$1" --version 2>/dev/null || echo 'version unknown'
}

if path="$(find_initdb)"; then
    echo "install-postgres: found initdb at $path ($(version_of "$path")); nothing to do"
    exit 0
fi

warn() {
    echo "install-postgres: WARNING: $*" >&2
    echo "install-postgres: the PostgreSQL tests (tests/service/) will fail until an initdb" \
        "binary is on PATH or under /usr/lib/postgresql/*/bin" >&2
    exit 0
}

if ! command -v apt-get >/dev/null 2>&1; then
    warn "apt-get not found; install the PostgreSQL server with your system's package manager"
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    warn "not root and sudo is not available; cannot run apt-get"
fi

# Debian's postgresql-common creates and starts a "main" cluster on port 5432 when a server
# version is installed, unless told not to; the tests need only the binaries.
createcluster_d=/etc/postgresql-common/createcluster.d
if [ ! -e "$createcluster_d/gosplan-no-main-cluster.conf" ]; then
    echo "install-postgres: telling postgresql-common not to create the default main cluster"
    $SUDO mkdir -p "$createcluster_d" &&
        echo "create_main_cluster = false" |
        $SUDO tee "$createcluster_d/gosplan-no-main-cluster.conf" >/dev/null ||
        echo "install-postgres: could not write $createcluster_d; carrying on" >&2
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-postgres: running ${SUDO:+$SUDO }apt-get update"
$SUDO apt-get update -q || warn "apt-get update failed"
echo "install-postgres: running ${SUDO:+$SUDO }apt-get install -y postgresql"
$SUDO apt-get install -y -q --no-install-recommends postgresql ||
    warn "apt-get install postgresql failed"

if path="$(find_initdb)"; then
    echo "install-postgres: installed $path ($(version_of "$path"))"
else
    warn "apt-get finished but no initdb binary is on PATH or under /usr/lib/postgresql/*/bin"
fi
