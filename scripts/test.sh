#!/usr/bin/env bash
# `npm test`: every test. Vitest (shared/, main/, CLI, browser-mode server), then Playwright in
# Debian's Chromium against browser mode. Ends with one line `N passed, N failed, N skipped`.
set -uo pipefail
cd "$(dirname "$0")/.."

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 22 ]; then
  echo "npm test needs Node 22+ (found $(node --version)); run it through npm so the project's Node is used" >&2
  exit 1
fi

bash scripts/setup-test-env.sh || exit 1
rm -rf test-results
mkdir -p test-results

echo "== build (renderer for browser mode, main and preload bundles) =="
node scripts/build.mjs || exit 1

echo "== vitest =="
npx vitest run
vitest_rc=$?

echo "== playwright (Debian Chromium, browser mode) =="
npx playwright test
playwright_rc=$?

node scripts/test-summary.mjs test-results/vitest.json test-results/playwright.json
summary_rc=$?

if [ $vitest_rc -ne 0 ] || [ $playwright_rc -ne 0 ] || [ $summary_rc -ne 0 ]; then
  exit 1
fi
