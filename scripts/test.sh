#!/usr/bin/env bash
# Every test careid has, in the order a failure is cheapest to find.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-system.sh
echo '== lint (biome)'
npx biome check .
echo '== typecheck (tsc)'
npx tsc --noEmit -p tsconfig.json
echo '== build (tsup)'
npx tsup --silent
echo '== package (publint, arethetypeswrong)'
npx publint --strict
npx attw --pack . --profile node16
echo '== docs (typedoc, warnings are errors)'
npx typedoc --treatWarningsAsErrors --logLevel Warn
echo '== tests (vitest)'
npx vitest run
