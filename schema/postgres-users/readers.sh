#!/bin/sh
# The read-only PostgreSQL role of a deployment: `depinscore_grafana`, Grafana's datasource
# (dashboards/provisioning/datasources/postgres.yaml). docker-compose.yml mounts this file into
# the postgres image's /docker-entrypoint-initdb.d, which runs it once, when the data volume is
# first initialised, as POSTGRES_USER (the owner of POSTGRES_DB, who later creates the tables
# through `depinscore migrate`). The role may read every table that owner creates in `public`,
# now and later, and nothing else: it owns nothing, is granted no write, and its sessions start
# read-only. Password from DEPINSCORE_POSTGRES_GRAFANA_PASSWORD.
#
# crates/depinscore/tests/postgres_readers.rs runs this script against a real server and checks
# what the role can and cannot do. (A volume initialised before this file existed skips it: run
# it once by hand with the same variables, e.g. `docker compose exec postgres sh <this file>`.)
set -eu
: "${DEPINSCORE_POSTGRES_GRAFANA_PASSWORD:?is not set}"
psql -v ON_ERROR_STOP=1 -X -q \
    --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner="$POSTGRES_USER" -v db="$POSTGRES_DB" -v password="$DEPINSCORE_POSTGRES_GRAFANA_PASSWORD" <<'SQL'
CREATE ROLE depinscore_grafana LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
ALTER ROLE depinscore_grafana SET default_transaction_read_only = on;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO depinscore_grafana;
GRANT USAGE ON SCHEMA public TO depinscore_grafana;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO depinscore_grafana;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT SELECT ON TABLES TO depinscore_grafana;
SQL
