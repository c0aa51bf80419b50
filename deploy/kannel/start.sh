#!/usr/bin/env bash
# Starts one of Kannel's boxes for Bilum: renders kannel.conf and the SMSC file from the environment into
# KANNEL_RENDERED_DIR (readable by this user only: it holds the passwords), then runs the box in the foreground.
#
#   start.sh bearerbox   the operator's link (the SMSC file: smsc.conf, or KANNEL_SMSC_TEMPLATE)
#   start.sh smsbox      the HTTP side (it never sees the SMSC file, nor the SMPP password)
#   start.sh render      only renders, and prints the path of the rendered kannel.conf (the tests use it)
#
# Every ${NAME} in the templates must have a value in the environment; the ports, addresses and directories below
# have defaults. Values are refused when Kannel would misread them: a double quote or a line break anywhere, a
# secret or callback URL that is not plain URL text (Kannel reads % as the start of an escape code).
set -euo pipefail

role=${1:-}
case "$role" in
  bearerbox | smsbox | render) ;;
  *)
    echo "usage: $0 bearerbox|smsbox|render" >&2
    exit 64
    ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
templates=${KANNEL_TEMPLATE_DIR:-$here}
rendered=${KANNEL_RENDERED_DIR:-/run/kannel}

export KANNEL_ADMIN_PORT=${KANNEL_ADMIN_PORT:-13000}
export KANNEL_SMSBOX_PORT=${KANNEL_SMSBOX_PORT:-13001}
export KANNEL_SENDSMS_PORT=${KANNEL_SENDSMS_PORT:-13013}
export KANNEL_ADMIN_ALLOW_IP=${KANNEL_ADMIN_ALLOW_IP:-127.0.0.1}
export KANNEL_BOX_ALLOW_IP=${KANNEL_BOX_ALLOW_IP:-127.0.0.1}
export KANNEL_SENDSMS_ALLOW_IP=${KANNEL_SENDSMS_ALLOW_IP:-127.0.0.1}
export KANNEL_BEARERBOX_HOST=${KANNEL_BEARERBOX_HOST:-127.0.0.1}
export KANNEL_LOG_DIR=${KANNEL_LOG_DIR:-/var/log/kannel}
export KANNEL_SPOOL_DIR=${KANNEL_SPOOL_DIR:-/var/spool/kannel}
export KANNEL_SMSC_CONF="$rendered/smsc.conf"

fail() {
  echo "start.sh: $*" >&2
  exit 78
}

secret=${BILUM_KANNEL_CALLBACK_SECRET:-}
if [ -n "$secret" ] && ! [[ "$secret" =~ ^[A-Za-z0-9._~-]{24,}$ ]]; then
  fail "BILUM_KANNEL_CALLBACK_SECRET must be at least 24 letters, digits or . _ ~ - (it is written into URLs as is)"
fi
callback=${BILUM_KANNEL_CALLBACK_URL:-}
if [ -n "$callback" ] && ! [[ "$callback" =~ ^https?://[^%?#\ ]+$ ]]; then
  fail "BILUM_KANNEL_CALLBACK_URL must be an http(s) URL without %, ? or #, e.g. http://gateway:8000/api/v1/sms/kannel"
fi
export BILUM_KANNEL_CALLBACK_URL=${callback%/}

# A value as sed's replacement text: \, & and the | delimiter escaped.
sed_value() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }

render() {
  local template=$1 target=$2 name value
  local -a script=() missing=()
  [ -r "$template" ] || fail "cannot read $template"
  for name in $(grep -o '\${[A-Z0-9_]*}' "$template" | tr -d '${}' | sort -u); do
    value=${!name:-}
    if [ -z "$value" ]; then
      missing+=("$name")
      continue
    fi
    case "$value" in
      *'"'* | *$'\n'* | *$'\r'*) fail "$name holds a double quote or a line break, which Kannel cannot read" ;;
    esac
    script+=(-e "s|\${$name}|$(sed_value "$value")|g")
  done
  [ ${#missing[@]} -eq 0 ] || fail "set ${missing[*]} (needed by $(basename "$template"))"
  if [ ${#script[@]} -eq 0 ]; then
    cp "$template" "$target"
  else
    sed "${script[@]}" "$template" >"$target"
  fi
}

umask 077
mkdir -p "$rendered" "$KANNEL_LOG_DIR" "$KANNEL_SPOOL_DIR/messages" "$KANNEL_SPOOL_DIR/reports"
if [ "$role" = smsbox ]; then
  echo "# smsbox needs no SMSC link." >"$KANNEL_SMSC_CONF"
else
  render "${KANNEL_SMSC_TEMPLATE:-$templates/smsc.conf}" "$KANNEL_SMSC_CONF"
fi
render "$templates/kannel.conf" "$rendered/kannel.conf"

case "$role" in
  render) echo "$rendered/kannel.conf" ;;
  bearerbox) exec /usr/sbin/bearerbox -v 1 "$rendered/kannel.conf" ;;
  smsbox) exec /usr/sbin/smsbox -v 1 "$rendered/kannel.conf" ;;
esac
