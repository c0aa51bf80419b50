#!/usr/bin/env bash
# Installs the command-line tools the test suite runs, from Debian's packages, when they are missing:
#   promtool (package prometheus) checks the Prometheus configuration and rules;
#   openssl makes the throwaway certificate of the STARTTLS test;
#   chromium is the browser of the page tests (Playwright drives it; it never downloads a browser of its own);
#   kannel is the SMS gateway of the SMS tests: bearerbox and smsbox (package kannel) and the fakesmsc phone simulator
#   (kannel-extras), neither on PATH, so both packages are installed when either program is missing;
#   axe-core is the accessibility checker the browser tests put into each page: the version pinned below, from the npm
#   registry, into var/tools/axe-core (which git ignores), with Debian's npm installed first when it is missing.
set -euo pipefail

AXE_CORE_VERSION=4.14.1
AXE_CORE_DIR="$(cd "$(dirname "$0")/../.." && pwd)/var/tools/axe-core"
want_axe=""
install_axe() {
  local installed
  installed="$(node -p "require('$AXE_CORE_DIR/node_modules/axe-core/package.json').version" 2>/dev/null || true)"
  [ "$installed" = "$AXE_CORE_VERSION" ] && return 0
  echo "installing axe-core $AXE_CORE_VERSION from the npm registry..."
  npm install --prefix "$AXE_CORE_DIR" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "axe-core@$AXE_CORE_VERSION"
}

declare -A package_of=([promtool]=prometheus [openssl]=openssl [chromium]=chromium)
missing=()
tools=()
for tool in "$@"; do
  if [ "$tool" = kannel ]; then
    [ -x /usr/sbin/bearerbox ] && [ -x /usr/lib/kannel/test/fakesmsc ] || missing+=(kannel kannel-extras)
  elif [ "$tool" = axe-core ]; then
    want_axe=1
    command -v npm >/dev/null || missing+=(npm)
  else
    tools+=("$tool")
  fi
done
set -- "${tools[@]}"
for tool in "$@"; do
  command -v "$tool" >/dev/null || missing+=("${package_of[$tool]}")
done
if [ ${#missing[@]} -eq 0 ]; then
  [ -z "$want_axe" ] || install_axe
  exit 0
fi

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing ${missing[*]} from Debian's packages..."
$sudo apt-get update -qq
# Installing a service's package must not start the service: only its command-line tools are wanted.
policy=/usr/sbin/policy-rc.d
created_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
  created_policy=1
fi
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
[ -n "$created_policy" ] && $sudo rm -f "$policy"
[ -z "$want_axe" ] || install_axe
exit 0
