#!/bin/sh
# Entrypoint wrapper for the compose broker (image rabbitmq:3.13-management).
#
# Why: RabbitMQ skips creating its default user when definitions are loaded at
# boot ("Will not seed default virtual host and user: have definitions to
# load"), so RABBITMQ_DEFAULT_USER/PASS cannot provide the application user
# here. The committed definitions hold no users and no secrets; this script
# renders the user "bilum" with the password from the environment into the
# definitions directory, next to a copy of the committed definitions, and then
# runs the image's own entrypoint. The import runs on every boot, so changing
# RABBITMQ_PASSWORD in .env and recreating the container changes the password.
set -eu

# Both paths match deploy/rabbitmq/rabbitmq.conf and docker-compose.yml; the
# variables exist so tests/ops can run this script in a scratch directory.
defs_dir=${BILUM_RABBITMQ_DEFINITIONS_DIR:-/etc/rabbitmq/definitions.d}
topology=${BILUM_RABBITMQ_TOPOLOGY_FILE:-/etc/bilum/rabbitmq/definitions.json}
password=${BILUM_RABBITMQ_PASSWORD:-}

if [ -z "$password" ]; then
    echo "docker-entrypoint-bilum: BILUM_RABBITMQ_PASSWORD is empty; set RABBITMQ_PASSWORD in .env" >&2
    exit 64
fi
# The password is written into JSON here and into AMQP_URI unencoded, so only
# URL-unreserved characters are accepted (e.g. from: openssl rand -hex 24).
case "$password" in
    *[!A-Za-z0-9._~-]*)
        echo "docker-entrypoint-bilum: RABBITMQ_PASSWORD may only contain A-Z a-z 0-9 . _ ~ -" >&2
        exit 64
        ;;
esac

umask 077
mkdir -p "$defs_dir"
# 00- sorts before 10-: the user must exist before its permissions are imported.
printf '{"users": [{"name": "bilum", "password": "%s", "tags": "monitoring"}]}\n' \
    "$password" >"$defs_dir/00-users.json"
cp "$topology" "$defs_dir/10-topology.json"
# The image's entrypoint drops to the rabbitmq user, which must read these.
if [ "$(id -u)" = 0 ] && id rabbitmq >/dev/null 2>&1; then
    chown -R rabbitmq:rabbitmq "$defs_dir"
fi

exec docker-entrypoint.sh "$@"
