# shellcheck shell=bash
#
# Private PostgreSQL clusters for tests. Source this file, then:
#
#   pg_test_start DIR   initdb (once) and start a cluster under DIR, listening on a
#                       Unix socket in DIR and a free loopback port; exports
#                       SPLITLANE_TEST_DATABASE_URL (database "postgres", user
#                       "splitlane", trust auth on the socket and on loopback only).
#                       PG_TEST_DURABLE=1 keeps fsync and synchronous_commit on.
#   pg_test_stop DIR    stops it (fast shutdown); safe to call twice or in a trap.
#
# As root the server runs as user "postgres" (PostgreSQL refuses to run as root) and
# DIR is handed to that user. Binaries come from `pg_config --bindir`, else the
# highest version under /usr/lib/postgresql.

pg_test_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    done
    if command -v pg_config >/dev/null 2>&1; then
        dir=$(pg_config --bindir)
        if [ -x "$dir/initdb" ]; then
            echo "$dir"
            return 0
        fi
    fi
    echo "pg_test: no initdb/pg_ctl found (install the postgresql package)" >&2
    return 1
}

# Runs a PostgreSQL binary as the cluster owner: "postgres" when we are root.
pg_test_run() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_test_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_test_start() {
    local dir=${1:?usage: pg_test_start DIR}
    local bindir port
    bindir=$(pg_test_bindir) || return 1
    mkdir -p "$dir" || return 1
    dir=$(cd "$dir" && pwd) || return 1
    if [ "$(id -u)" = 0 ]; then
        chown postgres:postgres "$dir" || return 1
    fi
    chmod 700 "$dir"

    if [ ! -f "$dir/data/PG_VERSION" ]; then
        pg_test_run "$bindir/initdb" -D "$dir/data" -U splitlane --auth=trust \
            --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
            cat "$dir/initdb.log" >&2
            return 1
        }
    fi

    port=$(pg_test_free_port) || return 1
    # Test data is disposable: skip durability work that only slows tests down, unless
    # PG_TEST_DURABLE=1 asks for a cluster that flushes every commit (benchmarks).
    local opts="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    if [ "${PG_TEST_DURABLE:-0}" = 1 ]; then
        opts="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
    fi
    opts="$opts -c max_connections=200"
    pg_test_run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories='$dir' $opts" \
        start >/dev/null || {
        cat "$dir/server.log" >&2
        return 1
    }
    echo "$port" >"$dir/port"

    export SPLITLANE_TEST_DATABASE_URL="postgresql://splitlane@127.0.0.1:$port/postgres"
    export SPLITLANE_TEST_DATABASE_SOCKET_URL="postgresql:///postgres?host=$dir&port=$port&user=splitlane"
}

pg_test_stop() {
    local dir=${1:?usage: pg_test_stop DIR}
    local bindir
    [ -f "$dir/data/postmaster.pid" ] || return 0
    bindir=$(pg_test_bindir) || return 1
    pg_test_run "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}
