#!/usr/bin/env bash
# The official postgres image's interface, as far as the deployment uses it: started as root, it
# gives $PGDATA to the postgres user and runs as that user; on an empty $PGDATA it initialises a
# cluster whose superuser is $POSTGRES_USER with $POSTGRES_PASSWORD (password authentication over
# TCP), creates $POSTGRES_DB, and runs the *.sh (sourced unless executable) and *.sql files of
# /docker-entrypoint-initdb.d in name order on a server that listens on its socket only; then it
# runs the command (`postgres`, listening on every address).
set -Eeuo pipefail

if [ "${1:-}" != postgres ]; then exec "$@"; fi

if [ "$(id -u)" = 0 ]; then
    install -d -o postgres -g postgres -m 0700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
fi

: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ]; then
        echo "docker-entrypoint.sh: POSTGRES_PASSWORD is not set; the database would accept no password" >&2
        exit 1
    fi
    initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
        --auth-local=trust --auth-host=scram-sha-256 -D "$PGDATA" >/dev/null
    printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    export PGUSER="$POSTGRES_USER" PGDATABASE=postgres
    if [ "$POSTGRES_DB" != postgres ]; then
        psql -v ON_ERROR_STOP=1 --no-psqlrc -q -v db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
    fi
    export PGDATABASE="$POSTGRES_DB"
    for file in /docker-entrypoint-initdb.d/*; do
        case "$file" in
            *.sh) echo "docker-entrypoint.sh: running $file"
                  if [ -x "$file" ]; then "$file"; else . "$file"; fi ;;
            *.sql) echo "docker-entrypoint.sh: running $file"
                   psql -v ON_ERROR_STOP=1 --no-psqlrc -q -f "$file" ;;
            *) ;;
        esac
    done
    unset PGUSER PGDATABASE
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    echo "docker-entrypoint.sh: initialised $PGDATA"
fi

exec postgres -c listen_addresses='*' "${@:2}"
