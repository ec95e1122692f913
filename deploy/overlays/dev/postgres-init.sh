#!/bin/sh
# Creates the shop's database and, for each subgraph, a login role that owns the schema of the same name
# and reaches nothing else (DESIGN.md §3). The postgres image runs it once, on an empty data volume; it is
# safe to run again, which is how an existing volume learns about a subgraph added to the list below:
#   docker compose exec -u postgres postgres sh /docker-entrypoint-initdb.d/10-supergraph.sh
# A subgraph's password comes from <NAME>_DB_PASSWORD (USERS_DB_PASSWORD, ...) and defaults to its name.
# packages/db's provisionSubgraphSchema grants the same for `npm start`: keep the two in step.
set -eu

# Adding a subgraph: append its name here (and its <NAME>_DB_PASSWORD to the postgres service).
subgraphs='users products inventory orders payments notifications'
database=supergraph

run_psql() {
  psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "${POSTGRES_USER:-postgres}" "$@"
}

run_psql --dbname postgres -v database="$database" <<'SQL'
SELECT format('CREATE DATABASE %I', :'database')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec
SQL

# Closed by default: every role (PUBLIC) loses the public schema and the right to connect, so a subgraph's
# role reaches only what the loop below grants it.
run_psql --dbname "$database" -v database="$database" <<'SQL'
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
SQL

for name in $subgraphs; do
  case "$name" in
    '' | [!a-z_]* | *[!a-z0-9_]*)
      echo "postgres-init: '$name' is not a lower-case Postgres identifier" >&2
      exit 1
      ;;
  esac
  password_variable="$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  password="$(printenv "$password_variable" || true)"
  # The role is cluster-wide and may exist from an earlier run; the password is (re)set either way so
  # that changing <NAME>_DB_PASSWORD and running the script again takes effect.
  run_psql --dbname "$database" -v database="$database" -v name="$name" -v password="${password:-$name}" <<'SQL'
SET client_min_messages TO warning;
SELECT format('CREATE ROLE %I', :'name')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \gexec
ALTER ROLE :"name" WITH LOGIN PASSWORD :'password';
CREATE SCHEMA IF NOT EXISTS :"name" AUTHORIZATION :"name";
ALTER SCHEMA :"name" OWNER TO :"name";
GRANT CONNECT, TEMPORARY ON DATABASE :"database" TO :"name";
SQL
  echo "postgres-init: role and schema '$name' ready in database '$database'"
done
