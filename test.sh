#!/usr/bin/env bash
# The test command: starts Redis and Azurite (installing what is missing), runs every test, prints
# "N passed, N failed" on the last line. Extra arguments go to `dotnet test` (e.g. --filter).
set -uo pipefail
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
scripts/services.sh up || { echo "0 passed, 1 failed"; exit 1; }
# shellcheck disable=SC1091
source .ci/work/services.env
results="$root/.ci/work/test-results"
rm -rf "$results"
dotnet test Orchard.sln -c Release --logger "trx;LogFileName=results.trx" --results-directory "$results" "$@"
status=$?
passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi # a build or runner failure counts
echo "$passed passed, $failed failed"
exit "$status"
