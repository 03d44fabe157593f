#!/usr/bin/env bash
# Brings the database DATABASE_URL names (SQLite by default) up to the committed migrations.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CHECKPOINT_DISABLE=1
case "${DATABASE_URL:-}" in
  postgres://* | postgresql://*) node_modules/.bin/tsx tools/db/migrate-postgres.ts ;;
  *) node_modules/.bin/prisma migrate deploy ;;
esac
