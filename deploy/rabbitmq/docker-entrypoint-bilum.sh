#!/bin/sh
# Entrypoint wrapper for the compose broker (image rabbitmq:3.13-management).
#
# Why: RabbitMQ skips creating its default user when definitions are loaded at
# boot ("Will not seed default virtual host and user: have definitions to
# load"), so RABBITMQ_DEFAULT_USER/PASS cannot provide the users here. The
# committed definitions hold the vhost, each user's permissions and the
# policies, but no users and no secrets. This script renders one user per
# name that the definitions grant permissions to, each with the password from
# BILUM_RABBITMQ_PASSWORD_<NAME> (e.g. BILUM_RABBITMQ_PASSWORD_ORDERS), into
# the definitions directory next to a copy of the committed definitions, and
# then runs the image's own entrypoint. The import runs on every boot, so
# changing a password in .env and recreating the container changes it.
#
# The operator user "bilum" (management UI, `bilum dlq`) is tagged
# monitoring; the service users have no tags, so they cannot log in to the UI.
set -eu

# Both paths match deploy/rabbitmq/rabbitmq.conf and docker-compose.yml; the
# variables exist so tests/ops can run this script in a scratch directory.
defs_dir=${BILUM_RABBITMQ_DEFINITIONS_DIR:-/etc/rabbitmq/definitions.d}
topology=${BILUM_RABBITMQ_TOPOLOGY_FILE:-/etc/bilum/rabbitmq/definitions.json}
operator=bilum

fail() {
    echo "docker-entrypoint-bilum: $*" >&2
    exit 64
}

# definitions.json is written one key per line, so the users are the values of
# its "user" keys (tests/ops checks this against a JSON parser).
users=$(sed -n 's/^ *"user": *"\([^"]*\)".*/\1/p' "$topology" | sort -u)
[ -n "$users" ] || fail "no user has permissions in $topology"

rendered=""
for user in $users; do
    variable="BILUM_RABBITMQ_PASSWORD_$(printf '%s' "$user" | tr 'a-z-' 'A-Z_')"
    password=$(printenv "$variable" || true)
    [ -n "$password" ] || fail "$variable is empty: give the user $user a password in .env (see .env.example)"
    # The password is written into JSON here and into AMQP_URI unencoded, so
    # only URL-unreserved characters are accepted (e.g. openssl rand -hex 24).
    case "$password" in
        *[!A-Za-z0-9._~-]*) fail "the password in $variable may only contain A-Z a-z 0-9 . _ ~ -" ;;
    esac
    tags=""
    [ "$user" = "$operator" ] && tags=monitoring
    rendered="$rendered${rendered:+, }{\"name\": \"$user\", \"password\": \"$password\", \"tags\": \"$tags\"}"
done

umask 077
mkdir -p "$defs_dir"
# 00- sorts before 10-: the users must exist before their permissions are imported.
printf '{"users": [%s]}\n' "$rendered" >"$defs_dir/00-users.json"
cp "$topology" "$defs_dir/10-topology.json"
# The image's entrypoint drops to the rabbitmq user, which must read these.
if [ "$(id -u)" = 0 ] && id rabbitmq >/dev/null 2>&1; then
    chown -R rabbitmq:rabbitmq "$defs_dir"
fi

exec docker-entrypoint.sh "$@"
