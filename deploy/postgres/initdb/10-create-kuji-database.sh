#!/bin/sh
# Runs once, when the official postgres image initialises an empty data volume: Kuji gets its
# own role and database, separate from Temporal's (which the temporal-schema step creates).
# psql reads the password from the environment (\getenv), so it never appears in a command line.
set -e

: "${KUJI_DB_PASSWORD:?KUJI_DB_PASSWORD is required to create the kuji role}"

psql --no-psqlrc --set=ON_ERROR_STOP=1 --username "${POSTGRES_USER}" --dbname postgres <<'SQL'
\getenv kuji_password KUJI_DB_PASSWORD
CREATE ROLE kuji LOGIN PASSWORD :'kuji_password';
CREATE DATABASE kuji OWNER kuji;
REVOKE ALL ON DATABASE kuji FROM PUBLIC;
SQL
