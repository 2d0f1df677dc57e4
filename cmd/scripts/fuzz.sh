#!/usr/bin/env bash
# Runs every Fuzz* target in the module on top of its seed corpus, for a
# budget given as go test's -fuzztime takes it: a count of inputs ("20000x",
# the default) or a duration ("10s").
#
# A count is the default because Go 1.26's fuzz coordinator can fail a
# duration run at its deadline with a bare "context deadline exceeded" and no
# failing input (golang/go#75804, fixed in Go 1.27): a count has no deadline
# to race. With a duration, such a failure is run once more and reported; any
# failure that writes a failing input, panics or fails the target is final.
set -euo pipefail
cd "$(dirname "$0")/../.."
budget=${1:-20000x}
case "$budget" in
  *[0-9]x | *[0-9]s | *[0-9]m | *[0-9]ms | *[0-9]h) ;;
  *) echo "fuzz.sh: budget \"$budget\" is neither a count (20000x) nor a duration (10s)" >&2; exit 2 ;;
esac
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0 passed=0 failed=0 rerun=0
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    for attempt in 1 2; do
      echo "== fuzz $pkg $target ($budget)"
      if go test -run='^$' -fuzz="^${target}\$" -fuzztime="$budget" "$pkg" 2>&1 | tee "$log"; then
        passed=$((passed + 1))
        break
      fi
      # The coordinator's deadline race prints only this line under the
      # target's FAIL; a real finding also writes "Failing input written".
      if [ "$attempt" = 1 ] && [[ "$budget" != *x ]] &&
        grep -q '^    context deadline exceeded$' "$log" &&
        ! grep -q -e 'Failing input written' -e 'panic:' -e '_test.go:[0-9]*:' "$log"; then
        echo "== fuzz $target: \"context deadline exceeded\" with no failing input (Go's fuzztime race, golang/go#75804): running it once more"
        rerun=$((rerun + 1))
        continue
      fi
      failed=$((failed + 1))
      status=1
      break
    done
  done
done
echo "== fuzz: $passed passed, $failed failed, $rerun run again after Go's deadline race (budget $budget)"
exit $status
