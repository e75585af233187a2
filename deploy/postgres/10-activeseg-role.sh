#!/usr/bin/env bash
# First-start initialisation of the compose deployment's PostgreSQL: compose.yaml mounts this file
# into /docker-entrypoint-initdb.d/, which the postgres image runs once, when its data folder is
# empty, with psql and the container's environment, as the superuser POSTGRES_USER.
#
# It creates the role the ActiveSeg services connect as and the database they keep their state in,
# owned by that role, and nothing more: the role may log in and owns that database (and so its
# public schema, where the services' migrations create their tables), but it is no superuser and
# may not create roles or databases. Settings, from compose (see .env.example):
#   ACTIVESEG_DB_USER      the role's name
#   ACTIVESEG_DB_PASSWORD  its password; a placeholder of .env.example (change-me-…) is refused
#   ACTIVESEG_DB_NAME      the database (default activeseg), created unless it exists, and
#                          given to the role either way
# psql reaches the server as the image's entrypoint sets it up (its socket, POSTGRES_USER and
# POSTGRES_DB); libpq's PGHOST, PGPORT and PGPASSWORD point it elsewhere.
set -euo pipefail

refuse() {
    echo "deploy/postgres: $1" >&2
    exit 1
}

: "${ACTIVESEG_DB_USER:?set ACTIVESEG_DB_USER (see .env.example)}"
: "${ACTIVESEG_DB_PASSWORD:?set ACTIVESEG_DB_PASSWORD (see .env.example)}"
database="${ACTIVESEG_DB_NAME:-activeseg}"
for key in POSTGRES_PASSWORD ACTIVESEG_DB_PASSWORD; do
    case "$(printf '%s' "${!key:-}" | tr '[:upper:]' '[:lower:]')" in
        change-me*) refuse "$key is still a placeholder of .env.example (change-me…); choose a password" ;;
    esac
done
[ "$ACTIVESEG_DB_USER" != "${POSTGRES_USER:-postgres}" ] \
    || refuse "ACTIVESEG_DB_USER must differ from POSTGRES_USER, the superuser"

sql() {
    psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "${POSTGRES_USER:-postgres}" \
        --dbname "${POSTGRES_DB:-${POSTGRES_USER:-postgres}}" \
        -v role="$ACTIVESEG_DB_USER" -v password="$ACTIVESEG_DB_PASSWORD" -v database="$database" "$@"
}

sql <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role')
    WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec
ALTER DATABASE :"database" OWNER TO :"role";
-- Only its owner (and the superuser) may connect to the application's database.
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
SQL
echo "deploy/postgres: role $ACTIVESEG_DB_USER owns database $database"
