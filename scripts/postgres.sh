#!/usr/bin/env bash
# Start and stop a throw-away PostgreSQL server for the service's tests.
#
#   scripts/postgres.sh start DIR   initialise a cluster in DIR and start it; the last line on
#                                   stdout is its SQLAlchemy URL,
#                                   postgresql+psycopg://USER@127.0.0.1:PORT/gosplan
#   scripts/postgres.sh stop DIR    stop that server (pg_ctl stop -m fast) and remove DIR
#
# The server trusts every connection, so it listens only on 127.0.0.1 (on a free port that
# the script chooses) and on a unix socket inside DIR (mode 0700), and pg_hba.conf admits
# loopback and that socket only. fsync stays on (the tests include a crash test). DIR holds
# data/ (the cluster), server.log and initdb.log. DIR must be absent or empty.
#
# PostgreSQL refuses to run as root: when run by root, the server's commands run as the
# `postgres` system user (created when absent) through runuser (or su), DIR is handed to that
# user, and every directory above DIR must be searchable by it (a fresh directory under /tmp
# is). USER in the URL is the user the server runs as (postgres when run by root).
#
# Binaries: $GOSPLAN_POSTGRES_BIN (a directory holding initdb, pg_ctl and createdb) when set;
# else the directory of the initdb on PATH; else the highest /usr/lib/postgresql/*/bin.
#
# Exit status: 0 on success, 2 on bad usage, 3 when no PostgreSQL server is installed (run
# scripts/install-postgres.sh), 1 on any other failure (the messages, with the tail of the
# server's log, go to stderr).
set -euo pipefail

PROG="postgres.sh"
DATABASE="gosplan"
PORT_ATTEMPTS=20
PG_CTL_TIMEOUT_S=60
# sun_path holds 108 bytes with the terminating NUL; the socket is DIR/.s.PGSQL.NNNNN
SOCKET_PATH_MAX=107

log() { echo "$PROG: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}
usage() {
    echo "usage: $0 start DIR | stop DIR" >&2
    exit 2
}

find_bindir() {
    local initdb
    if [ -n "${GOSPLAN_POSTGRES_BIN:-}" ]; then
        initdb="$GOSPLAN_POSTGRES_BIN/initdb"
    elif initdb="$(command -v initdb 2>/dev/null)"; then
        # /usr/local/bin/initdb may be a link into /usr/lib/postgresql/N/bin
        initdb="$(readlink -f "$initdb")"
    else
        initdb="$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V -r | head -n 1)"
    fi
    if [ ! -x "$initdb" ]; then
        log "error: no PostgreSQL server found (no initdb${GOSPLAN_POSTGRES_BIN:+ in \$GOSPLAN_POSTGRES_BIN=$GOSPLAN_POSTGRES_BIN}, on PATH or under /usr/lib/postgresql/*/bin)"
        log "install one with: bash scripts/install-postgres.sh"
        exit 3
    fi
    BINDIR="$(dirname "$initdb")"
    local tool
    for tool in pg_ctl createdb; do
        [ -x "$BINDIR/$tool" ] || die "initdb is in $BINDIR but $tool is not"
    done
}

# as_server CMD ARGS...: run CMD as the user the server runs as, from a directory it can read
as_server() {
    if [ "$SERVER_USER" = "$(id -un)" ]; then
        (cd "$DIR" && "$@")
    elif command -v runuser >/dev/null 2>&1; then
        (cd "$DIR" && runuser -u "$SERVER_USER" -- "$@")
    else
        # su hands the arguments after the command string to the shell as $0, $1, ...
        # shellcheck disable=SC2016 # expanded by that shell, not this one
        (cd "$DIR" && su -s /bin/sh -c 'exec "$0" "$@"' "$SERVER_USER" -- "$@")
    fi
}

choose_server_user() {
    if [ "$(id -u)" -ne 0 ]; then
        SERVER_USER="$(id -un)"
        return
    fi
    SERVER_USER="postgres"
    if ! id -u "$SERVER_USER" >/dev/null 2>&1; then
        log "running as root: creating the system user $SERVER_USER to run the server"
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$SERVER_USER" ||
            die "could not create the system user $SERVER_USER (PostgreSQL refuses to run as root)"
    fi
}

# tail_log FILE [OFFSET]: the end of a log (from byte OFFSET on) to stderr
tail_log() {
    local file="$1" offset="${2:-0}"
    if [ -s "$file" ]; then
        log "--- end of $file ---"
        tail -c +"$((offset + 1))" "$file" | tail -n 30 >&2
        log "---"
    fi
}

port_in_use() {
    # a connection succeeds only when something listens there
    (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

random_port() {
    # below Linux's default ephemeral range (32768-60999), so that clients' ports rarely clash
    echo $((10000 + (RANDOM * 32768 + RANDOM) % 22000))
}

# postmaster_alive PID: whether PID is a live process (a zombie, which a killed server is until
# its parent reaps it, counts as gone)
postmaster_alive() {
    local pid="$1" state
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    if [ -d /proc ]; then
        state="$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d ' ' -f 1)" || return 1
        [ -n "$state" ] && [ "$state" != Z ]
    else
        kill -0 "$pid" 2>/dev/null
    fi
}

start() {
    find_bindir
    [ ! -e "$DIR" ] || [ -d "$DIR" ] || die "$DIR exists and is not a directory"
    DIR="$(realpath -m "$DIR")"
    [ "$((${#DIR} + 16))" -le "$SOCKET_PATH_MAX" ] ||
        die "$DIR is too long for a unix socket path (at most $((SOCKET_PATH_MAX - 16)) characters); choose a shorter one"
    mkdir -p "$DIR"
    [ -z "$(ls -A "$DIR")" ] || die "$DIR is not empty (stop a previous server with: $0 stop $DIR)"
    choose_server_user
    touch "$DIR/.gosplan-postgres" # marks DIR as ours for stop's rm -rf
    chmod 0700 "$DIR"
    if [ "$SERVER_USER" != "$(id -un)" ]; then
        chown -R "$SERVER_USER:" "$DIR"
        as_server test -w "$DIR" ||
            die "$DIR is not reachable by the user $SERVER_USER (a directory above it is not searchable by it); choose one under /tmp"
    fi

    local data="$DIR/data" server_log="$DIR/server.log" init_log="$DIR/initdb.log"
    log "initialising a cluster in $data ($("$BINDIR/initdb" --version), as $SERVER_USER)"
    if ! as_server "$BINDIR/initdb" --pgdata="$data" --username="$SERVER_USER" \
        --auth=trust --encoding=UTF8 --locale=C >"$init_log" 2>&1; then
        tail_log "$init_log"
        die "initdb failed"
    fi
    # trust, but only over the socket in DIR and loopback TCP
    as_server tee "$data/pg_hba.conf" >/dev/null <<'EOF'
# written by scripts/postgres.sh: a throw-away test server
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
EOF
    echo "include_if_exists = 'gosplan.conf'" | as_server tee -a "$data/postgresql.conf" >/dev/null

    local attempt port offset
    for ((attempt = 1; attempt <= PORT_ATTEMPTS; attempt++)); do
        port="$(random_port)"
        if port_in_use "$port"; then
            continue
        fi
        as_server tee "$data/gosplan.conf" >/dev/null <<EOF
# written by scripts/postgres.sh
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '${DIR//\'/\'\'}'
fsync = on
EOF
        offset=0
        [ ! -e "$server_log" ] || offset="$(stat -c %s "$server_log")"
        if as_server "$BINDIR/pg_ctl" --pgdata="$data" --log="$server_log" --wait \
            --timeout="$PG_CTL_TIMEOUT_S" --silent start >&2; then
            break
        fi
        if tail -c +"$((offset + 1))" "$server_log" 2>/dev/null | grep -q "could not bind"; then
            log "port $port is taken; trying another"
            port=""
            continue
        fi
        tail_log "$server_log" "$offset"
        # pg_ctl may have given up waiting on a server that is still starting
        as_server "$BINDIR/pg_ctl" --pgdata="$data" --mode=immediate --silent stop >/dev/null 2>&1 || true
        die "the server did not start (its log is $server_log)"
    done
    [ -n "${port:-}" ] && [ "$attempt" -le "$PORT_ATTEMPTS" ] ||
        die "found no free port in $PORT_ATTEMPTS attempts"

    if ! as_server "$BINDIR/createdb" --host=127.0.0.1 --port="$port" \
        --username="$SERVER_USER" "$DATABASE" >&2; then
        tail_log "$server_log"
        as_server "$BINDIR/pg_ctl" --pgdata="$data" --mode=immediate --silent stop >/dev/null 2>&1 || true
        die "could not create the database $DATABASE"
    fi
    log "server running on 127.0.0.1:$port (stop it with: $0 stop $DIR)"
    echo "postgresql+psycopg://$SERVER_USER@127.0.0.1:$port/$DATABASE"
}

stop() {
    if [ ! -e "$DIR" ]; then
        log "$DIR does not exist; nothing to stop"
        return 0
    fi
    [ -d "$DIR" ] || die "$DIR is not a directory"
    DIR="$(cd "$DIR" && pwd -P)"
    # never remove a directory that this script did not set up
    [ -e "$DIR/.gosplan-postgres" ] || [ -z "$(ls -A "$DIR")" ] ||
        die "$DIR was not set up by $0 start; not removing it"
    local data="$DIR/data" pid
    if [ -e "$data/postmaster.pid" ]; then
        pid="$(head -n 1 "$data/postmaster.pid")"
        # a postmaster that crashed (or was killed) leaves its pid file behind: nothing to stop
        if postmaster_alive "$pid"; then
            find_bindir
            SERVER_USER="$(stat -c %U "$data")"
            if ! as_server "$BINDIR/pg_ctl" --pgdata="$data" --mode=fast --wait \
                --timeout="$PG_CTL_TIMEOUT_S" --silent stop >&2 && postmaster_alive "$pid"; then
                log "fast shutdown failed; stopping the server immediately"
                as_server "$BINDIR/pg_ctl" --pgdata="$data" --mode=immediate --wait \
                    --timeout="$PG_CTL_TIMEOUT_S" --silent stop >&2 || true
                local waited
                for ((waited = 0; waited < 50; waited++)); do
                    postmaster_alive "$pid" || break
                    sleep 0.1
                done
                ! postmaster_alive "$pid" ||
                    die "could not stop the server (PID $pid) in $DIR; not removing it"
            fi
        fi
    fi
    rm -rf "$DIR" || die "could not remove $DIR"
    log "stopped the server and removed $DIR"
}

[ "$#" -eq 2 ] || usage
DIR="$2"
[ -n "$DIR" ] || usage
case "$1" in
start) start ;;
stop) stop ;;
*) usage ;;
esac
