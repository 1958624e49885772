#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas up to the version this
# admin-tools image ships. Every step is idempotent (an existing database is kept, setup-schema
# skips an initialised schema, update-schema applies only newer versions), so it runs on every
# `docker compose up` and is the upgrade path when the Temporal image tags change.
# Connection settings come from SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and SQL_PASSWORD.
set -eu

schema_root=/etc/temporal/schema/postgresql/v12

setup_database() {
  database=$1
  schema=$2
  echo "temporal-schema: preparing database ${database}"
  temporal-sql-tool --db "${database}" create
  temporal-sql-tool --db "${database}" setup-schema -v 0.0
  temporal-sql-tool --db "${database}" update-schema -d "${schema_root}/${schema}/versioned"
}

setup_database temporal temporal
setup_database temporal_visibility visibility
echo 'temporal-schema: done'
