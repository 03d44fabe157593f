#!/usr/bin/env bash
# The whole test suite: gates (types, lint, format, circular imports), unit and API tests, a
# production build, and end-to-end tests in Chromium. Every part runs even when an earlier one
# fails; the last line is the total, `N passed, N failed`, and the exit code is non-zero on any
# failure.
set -uo pipefail
cd "$(dirname "$0")/.."

export CHECKPOINT_DISABLE=1 NEXT_TELEMETRY_DISABLED=1 ONNXRUNTIME_NODE_INSTALL=skip
CHROMIUM="${CHROMIUM_PATH:-/usr/lib/chromium/chromium}"
REPORTS="$(mktemp -d)"
passed=0
failed=0

step() { printf '\n=== %s ===\n' "$1"; }

# A gate is one test: it passes or fails as a whole.
gate() {
  local name="$1"
  shift
  step "$name"
  if "$@"; then
    passed=$((passed + 1))
  else
    echo "FAILED: $name"
    failed=$((failed + 1))
  fi
}

# Adds a vitest JSON report's counts; a missing report (the runner crashed) counts as a failure.
count_vitest() {
  local report="$1" label="$2"
  if [[ -s "$report" ]]; then
    read -r p f < <(node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests, r.numFailedTests + (r.numRuntimeErrors ?? 0))' "$report")
    passed=$((passed + p))
    failed=$((failed + f))
  else
    echo "FAILED: $label produced no report"
    failed=$((failed + 1))
  fi
}

if [[ ! -x "$CHROMIUM" ]]; then
  step "installing Debian's chromium (end-to-end tests and benchmarks drive it)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ||
    echo "could not install chromium"
fi

gate "prisma clients (SQLite and PostgreSQL)" bash -c \
  "node_modules/.bin/prisma generate --schema prisma/schema.prisma && node_modules/.bin/prisma generate --schema prisma/postgres/schema.prisma"
gate "typecheck (tsc --noEmit)" node_modules/.bin/tsc --noEmit -p .
gate "lint (eslint, zero warnings)" node_modules/.bin/eslint --max-warnings 0 .
gate "format (prettier --check)" node_modules/.bin/prettier --check --log-level warn .
gate "circular imports (dpdm)" npm run --silent circular

# Optional models are never installed by set-up; the suite installs one into a store of its own
# so the installer's npm path and the real ISNet are tested too (a cached no-op after the first).
export OPTIONAL_MODELS_DIR="$PWD/models/test-store"
step "optional test models (npm pack, into $OPTIONAL_MODELS_DIR)"
MODELS_DIR="$OPTIONAL_MODELS_DIR" node_modules/.bin/tsx tools/models-cli.ts install isnet-fp16 ||
  echo "could not install isnet-fp16: its test will say so"

step "unit and API tests (vitest)"
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile="$REPORTS/unit.json"
count_vitest "$REPORTS/unit.json" "unit tests"

# The API tests again, against a real PostgreSQL server (the shared-deployment database).
step "PostgreSQL server for the API tests (tools/postgres.sh)"
if PG_URL="$(bash tools/postgres.sh | tail -1)"; then
  step "API tests on PostgreSQL (vitest tests/api)"
  TEST_POSTGRES_URL="$PG_URL" node_modules/.bin/vitest run tests/api \
    --reporter=default --reporter=json --outputFile="$REPORTS/api-postgres.json"
  count_vitest "$REPORTS/api-postgres.json" "API tests on PostgreSQL"
else
  echo "FAILED: could not start PostgreSQL, so the API tests did not run on it"
  failed=$((failed + 1))
fi

# The run queue's fault tests on a real Redis (BullMQ; worker processes killed, Redis restarted).
step "Redis server for the queue's fault tests (tools/redis.sh)"
if REDIS_URL_TEST="$(bash tools/redis.sh | tail -1)"; then
  step "queue tests on Redis (vitest tests/queue: fault tests, npm run worker with the Run table)"
  TEST_REDIS_URL="$REDIS_URL_TEST" TEST_POSTGRES_URL="${PG_URL:-}" \
    node_modules/.bin/vitest run tests/queue --no-file-parallelism \
    --reporter=default --reporter=json --outputFile="$REPORTS/queue-redis.json"
  count_vitest "$REPORTS/queue-redis.json" "queue fault tests on Redis"
else
  echo "FAILED: could not start Redis, so the queue's fault tests did not run on it"
  failed=$((failed + 1))
fi

gate "production build (next build)" node_modules/.bin/next build

if [[ -f .next/BUILD_ID && -x "$CHROMIUM" ]]; then
  step "end-to-end tests (Chromium, WebGPU software adapter and WASM)"
  CHROMIUM_PATH="$CHROMIUM" node_modules/.bin/vitest run -c vitest.e2e.config.ts \
    --reporter=default --reporter=json --outputFile="$REPORTS/e2e.json"
  count_vitest "$REPORTS/e2e.json" "end-to-end tests"
else
  echo "FAILED: end-to-end tests need a build and Chromium at $CHROMIUM"
  failed=$((failed + 1))
fi

rm -rf "$REPORTS"
echo
echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
