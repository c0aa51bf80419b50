#!/usr/bin/env bash
# Make sure the local RabbitMQ (with its management plugin, which the tests use to make a vhost per run) and,
# when asked, PostgreSQL are running. Starts what is installed but down; says what to install otherwise.
set -euo pipefail

want_postgres=false
for arg in "$@"; do
  [[ "$arg" == "postgresql" ]] && want_postgres=true
done

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 1; done
  return 1
}

if ! port_open 5672; then
  if command -v rabbitmq-server >/dev/null; then
    echo "starting RabbitMQ..."
    rabbitmq-server -detached
    wait_for_port 5672 || { echo "RabbitMQ did not open port 5672" >&2; exit 1; }
  else
    echo "RabbitMQ is not running and not installed: apt-get install rabbitmq-server" >&2
    exit 1
  fi
fi

if ! port_open 15672; then
  if command -v rabbitmq-plugins >/dev/null; then
    echo "enabling RabbitMQ's management plugin..."
    rabbitmq-plugins enable rabbitmq_management >/dev/null
    wait_for_port 15672 || { echo "the management API did not open port 15672" >&2; exit 1; }
  else
    echo "RabbitMQ's management API (port 15672) is needed by the tests: enable rabbitmq_management" >&2
    exit 1
  fi
fi

if $want_postgres && ! port_open 5432; then
  if command -v pg_ctlcluster >/dev/null; then
    echo "starting PostgreSQL..."
    version=$(ls /etc/postgresql | sort -V | tail -1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    wait_for_port 5432 || { echo "PostgreSQL did not open port 5432" >&2; exit 1; }
  else
    echo "PostgreSQL is not running and not installed: apt-get install postgresql" >&2
    exit 1
  fi
fi
