#!/usr/bin/env bash
# Every test careid has, in the order a failure is cheapest to find.
set -euo pipefail
cd "$(dirname "$0")/.."

# The PC/SC tests start their own pcscd in a network namespace; never leave it behind.
trap 'bash scripts/pcsc/stop.sh >/dev/null 2>&1 || true' EXIT

bash scripts/setup-system.sh
bash scripts/native.sh
echo '== lint (biome)'
npx biome check .
echo '== typecheck (tsc)'
npx tsc --noEmit -p tsconfig.json
npx tsc --noEmit -p examples/desk/tsconfig.page.json
echo '== build (tsup)'
npx tsup --silent
echo '== package (publint, arethetypeswrong)'
npx publint --strict
npx attw --pack . --profile node16
echo '== docs (typedoc, warnings are errors)'
npx typedoc --treatWarningsAsErrors --logLevel Warn
echo '== tests (vitest)'
mkdir -p .tmp
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json || status=$?
# The plain closing line CI reads: counts from vitest's own JSON report.
node -e '
const r = JSON.parse(require("fs").readFileSync(".tmp/vitest.json", "utf8"));
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
if (r.numTotalTests === 0) process.exit(1);
'
exit "$status"
