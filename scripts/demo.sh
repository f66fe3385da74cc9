#!/usr/bin/env bash
# The main job end to end on a fresh Debian machine: installs what is missing,
# builds splitlane, validates the example experiments and assigns a sample of units.

source "$(dirname "$0")/lib/bootstrap.sh"
bootstrap

log "building splitlane (release)"
swift build -c release --product splitlane
splitlane="$(swift build -c release --show-bin-path)/splitlane"

log "validating experiments/"
"$splitlane" validate experiments

log "assigning a sample of deliveries to survey channels"
sample="$(mktemp)"
trap 'rm -f "$sample"' EXIT
{
    echo "unit_id,vertical,lane"
    for i in $(seq 1 12); do echo "delivery-$i,ecommerce,urban"; done
} >"$sample"
"$splitlane" assign survey-channel-2026 --input "$sample"

log "assigning detractors to recovery offers"
"$splitlane" assign detractor-recovery-2026q4 --unit acct-1042 --attr nps_score=3 --attr vertical=pharmacy
"$splitlane" assign detractor-recovery-2026q4 --unit acct-2001 --attr nps_score=9 --attr vertical=pharmacy
