#!/usr/bin/env bash
# The whole suite with every core kept busy, ROUNDS times in a row (default 3).
#
# Why: a test that waits for a duration instead of a state passes on an idle machine and
# fails on a busy one — CI on a loaded day. One busy loop per core (plain bash, nothing to
# install) competes with the suite for the whole run; each round is `scripts/run-tests.sh`,
# exactly what `make test` runs. Prints one line per round and a summary; exit 1 if any
# round failed. Usage: make test-loaded [ROUNDS=3] [PYTEST_ARGS=...]
set -uo pipefail
cd "$(dirname "$0")/.."
rounds="${ROUNDS:-3}"
cores="$(nproc)"
pids=()
stop_load() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; }
trap stop_load EXIT INT TERM
for _ in $(seq "$cores"); do
    ( trap - INT TERM; while :; do :; done ) &
    pids+=("$!")
done
echo "Charge : ${#pids[@]} boucle(s) occupée(s) sur ${cores} cœur(s) ; ${rounds} passage(s) de la suite."
failed=0
summary=()
for round in $(seq "$rounds"); do
    log=".cache/test-loaded-${round}.log"
    mkdir -p .cache
    start=$(date +%s)
    bash scripts/run-tests.sh -q -p no:cacheprovider "$@" >"$log" 2>&1
    code=$?
    took=$(( $(date +%s) - start ))
    result="$(grep -E '^(=+ )?[0-9]+ (passed|failed)' "$log" | tail -1 | tr -d '=')"
    summary+=("passage ${round} : code ${code}, ${took} s, ${result:-voir $log}")
    echo "${summary[-1]}"
    if [ "$code" -ne 0 ]; then
        failed=$((failed + 1))
        grep -E '^(FAILED|ERROR) ' "$log" | head -20
    fi
done
echo "Résumé sous charge (${cores} cœurs occupés) :"
printf '  %s\n' "${summary[@]}"
[ "$failed" -eq 0 ]
