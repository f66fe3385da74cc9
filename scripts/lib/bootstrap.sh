# Sourced by the scripts under scripts/: finds the Swift toolchain and installs the
# Debian packages splitlane builds and runs against, when any is missing.

set -euo pipefail

SPLITLANE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export SPLITLANE_ROOT

# The C libraries' -dev packages, PostgreSQL, and the tools the scripts call.
SPLITLANE_PACKAGES=(
    pkg-config libpq-dev libyaml-dev libmicrohttpd-dev libssl-dev libboost-math-dev
    postgresql postgresql-contrib curl
)

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }

ensure_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        for candidate in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
            if [ -x "$candidate/swift" ]; then PATH="$candidate:$PATH"; fi
        done
        export PATH
    fi
    command -v swift >/dev/null 2>&1 || {
        echo "error: no Swift toolchain found (looked on PATH and in /opt/swift)" >&2
        exit 1
    }
}

ensure_packages() {
    local missing=()
    for package in "${SPLITLANE_PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    log "installing ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

bootstrap() {
    ensure_swift
    ensure_packages
    cd "$SPLITLANE_ROOT"
}
