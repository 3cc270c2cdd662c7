#!/usr/bin/env bash
# Runs every test of the solution and ends with a line "N passed, N failed[, N skipped]".
# Installs what a fresh machine lacks (Debian's Chromium for the browser tests, Node.js and Infisical's SDK for the SDK test).
#   tests/test.sh                 every test
#   tests/test.sh --fast          the unit and component tests only (in memory, no host or browser; under a minute)
#   tests/test.sh --kind KIND     one kind: Unit, Component, Integration or Browser (tests/Shared/TestKind.cs)
set -uo pipefail
cd "$(dirname "$0")/.."

kind=""
while [ $# -gt 0 ]; do
  case "$1" in
    --fast) kind="Unit|Component" ;;
    --kind) kind="${2:-}"; shift ;;
    *) echo "usage: tests/test.sh [--fast | --kind Unit|Component|Integration|Browser]" >&2; exit 2 ;;
  esac
  shift
done
filter=()
[ -n "$kind" ] && filter=(--filter "$(echo "Kind=$kind" | sed 's/|/|Kind=/g')")

if { [ -z "$kind" ] || [ "$kind" = "Browser" ]; } && ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi

# The PostgreSQL tests (persistence, scheduling, two real instances) start a throwaway cluster of Debian's PostgreSQL
# (initdb/pg_ctl from /usr/lib/postgresql/*/bin, a temp dir, a free port): install the server if it is missing.
if { [ -z "$kind" ] || [ "$kind" = "Integration" ]; } && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "Installing Debian's postgresql for the PostgreSQL tests..."
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
fi

# Infisical's Node SDK test (InfisicalSdkTests, an integration test) runs Node with the SDK pinned in tests/sdk/package-lock.json.
if { [ -z "$kind" ] || [ "$kind" = "Integration" ]; } && ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Installing Debian's nodejs and npm for the Infisical SDK test..."
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
fi
if { [ -z "$kind" ] || [ "$kind" = "Integration" ]; } && { [ ! -d tests/sdk/node_modules/@infisical/sdk ] || [ tests/sdk/package-lock.json -nt tests/sdk/node_modules/.package-lock.json ]; }; then
  echo "Installing Infisical's Node SDK into tests/sdk (npm ci)..."
  (cd tests/sdk && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed: the Infisical SDK test will fail"
fi

export TEST_ARTIFACTS_DIR="${TEST_ARTIFACTS_DIR:-$PWD/test-artifacts}"
mkdir -p "$TEST_ARTIFACTS_DIR"
log="$TEST_ARTIFACTS_DIR/dotnet-test.log"

dotnet build RotationDashboard.sln -c Debug -nologo -v minimal 2>&1 | tail -n 5
build_status=${PIPESTATUS[0]}
if [ "$build_status" -ne 0 ]; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test RotationDashboard.sln --no-build -nologo -v minimal "${filter[@]}" 2>&1 | tee "$log"
test_status=${PIPESTATUS[0]}

# Each test assembly prints "Passed!  - Failed: F, Passed: P, Skipped: S, Total: T ..." (or "Failed!  - ...").
read -r passed failed skipped < <(grep -E '^(Passed|Failed)!' "$log" | awk -F'[:,]' '
  { for (i = 1; i <= NF; i++) {
      if ($i ~ /Failed$/)  f += $(i+1);
      if ($i ~ /Passed$/)  p += $(i+1);
      if ($i ~ /Skipped$/) s += $(i+1);
  } }
  END { printf "%d %d %d\n", p, f, s }')

assemblies=$(grep -cE '^(Passed|Failed)!' "$log")
if [ "$test_status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then
  failed=1   # the runner failed without reporting a failed test (crash, abort)
fi
if [ "${skipped:-0}" -gt 0 ]; then
  echo "${passed:-0} passed, ${failed:-0} failed, ${skipped} skipped"
else
  echo "${passed:-0} passed, ${failed:-0} failed"
fi
[ "$assemblies" -gt 0 ] || exit 1
exit "$test_status"
