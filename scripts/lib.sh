# Shared by scripts/*: install what is missing on a fresh Debian machine, then stay quiet.
# Sourced, not run. Python is for development only (eth-account interop checks, later the devnet).

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv"
PY="$VENV/bin/python"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages the build and the tests need.
ensure_apt() {
  local want=(libssl-dev libcurl4-openssl-dev pkg-config python3 python3-venv openssl coreutils curl dpkg-dev binutils groff-base time "$@")
  local missing=()
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ensure_swift() {
  if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then export PATH="/opt/swift/usr/bin:$PATH"; else
      echo "swift is not installed (expected on PATH or at /opt/swift); install Swift 6 first" >&2; exit 2
    fi
  fi
}

# The development venv, re-created when scripts/requirements.txt changes.
ensure_venv() {
  local req="$REPO/scripts/requirements.txt" stamp="$VENV/.requirements"
  if [ ! -x "$PY" ] || ! cmp -s "$req" "$stamp"; then
    echo "preparing the Python venv (.venv) for interop checks"
    local base=python3
    [ -x "$PY" ] || "$base" -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$req"
    cp "$req" "$stamp"
  fi
}

# Builds the package (debug unless told), printing only what matters.
build() {
  local log; log=$(mktemp)
  if ! (cd "$REPO" && swift build -c "${1:-debug}" >"$log" 2>&1); then cat "$log" >&2; rm -f "$log"; return 1; fi
  rm -f "$log"
}
