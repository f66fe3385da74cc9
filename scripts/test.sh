#!/usr/bin/env bash
# Runs splitlane's whole test suite on a fresh Debian machine: installs what is
# missing, builds with warnings as errors, starts a private PostgreSQL cluster for
# the live tests, runs every test, and stops the cluster even when a test fails.
#
# Usage: scripts/test.sh [extra `swift test` arguments, such as --filter NAME]

source "$(dirname "$0")/lib/bootstrap.sh"
source "$(dirname "$0")/lib/postgres.sh"
bootstrap

log "building (warnings are errors)"
swift build --build-tests -Xswiftc -warnings-as-errors

cluster="$(mktemp -d /tmp/splitlane-test-pg.XXXXXX)"
trap 'pg_test_stop "$cluster"; rm -rf "$cluster"' EXIT
log "starting a private PostgreSQL cluster in $cluster"
pg_test_start "$cluster"

log "running the tests"
swift test --skip-build --parallel "$@"
