#!/usr/bin/env bash
# Azurite (the official Azure Storage emulator) for the cache-azure tests, without Docker.
#
#   scripts/azurite.sh install                 install azurite@3.35.0 with npm if absent
#   scripts/azurite.sh blob PORT [LOCATION]    install if absent, then run the Blob service in
#                                              the foreground on 127.0.0.1:PORT (data in LOCATION,
#                                              default a fresh temp folder); stop it with SIGTERM
#
# Azurite 3.35.0 is the last release that runs on Node 20. It is installed into
# $AZURITE_HOME (default <repo>/.tools/azurite, git-ignored), never globally.
set -euo pipefail

VERSION=3.35.0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AZURITE_HOME="${AZURITE_HOME:-$ROOT/.tools/azurite}"
BIN="$AZURITE_HOME/node_modules/.bin/azurite-blob"

installed() {
  [ -x "$BIN" ] && [ -f "$AZURITE_HOME/node_modules/azurite/package.json" ] \
    && grep -q "\"version\": \"$VERSION\"" "$AZURITE_HOME/node_modules/azurite/package.json"
}

install() {
  if installed; then
    return 0
  fi
  command -v npm >/dev/null || { echo "azurite.sh: npm is not on the PATH" >&2; exit 2; }
  mkdir -p "$AZURITE_HOME"
  echo "azurite.sh: installing azurite@$VERSION into $AZURITE_HOME" >&2
  npm install --prefix "$AZURITE_HOME" --no-audit --no-fund --no-save --loglevel=error \
    "azurite@$VERSION" >&2
  installed || { echo "azurite.sh: azurite@$VERSION did not install" >&2; exit 2; }
}

case "${1:-}" in
  install)
    install
    ;;
  blob)
    PORT="${2:?usage: azurite.sh blob PORT [LOCATION]}"
    LOCATION="${3:-$(mktemp -d "${TMPDIR:-/tmp}/azurite-blob.XXXXXX")}"
    install
    exec "$BIN" --blobHost 127.0.0.1 --blobPort "$PORT" --location "$LOCATION" \
      --skipApiVersionCheck --loose --silent --disableTelemetry
    ;;
  *)
    echo "usage: $0 install | blob PORT [LOCATION]" >&2
    exit 2
    ;;
esac
