#!/usr/bin/env bash
# Brings a checkout to a runnable database: client code, schema, example workflows.
# Safe to re-run: generate overwrites, deploy applies only pending migrations, seed skips by name.
set -euo pipefail

cd "$(dirname "$0")/.."

# Without this every Prisma CLI call stalls on an update check this network blocks.
export CHECKPOINT_DISABLE=1

bin=node_modules/.bin
if [[ ! -x "$bin/prisma" ]]; then
  echo "setup: node_modules is missing; run npm ci first" >&2
  exit 1
fi

"$bin/prisma" generate
"$bin/prisma" migrate deploy
"$bin/tsx" prisma/seed.ts
