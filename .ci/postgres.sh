#!/usr/bin/env bash
# Provision and start a native PostgreSQL 17 + pgvector 0.8 for CI.
#
# Debian bookworm has no pgvector package, so the server comes from Debian
# trixie packages installed into a debootstrap root. The root is cached outside
# the clone (TAIWA_CI_CACHE) so a second run on the same machine reuses it.
#
# Usage: .ci/postgres.sh start | restart [SECONDS_DOWN] | stop
# On start it prints the DATABASE_URL of the unprivileged login role on stdout
# and the owner URL (for migrations) is TAIWA_OWNER_URL in the same output.
set -euo pipefail

cache=${TAIWA_CI_CACHE:-/var/cache/taiwa-ci}
root=$cache/pg17-trixie
port=${TAIWA_CI_PG_PORT:-55432}
pgbin=/usr/lib/postgresql/17/bin
datadir=/var/lib/taiwa-ci/data

log() { echo "postgres.sh: $*" >&2; }

provision() {
	if [ -f "$root/.taiwa-ready" ]; then
		return
	fi
	command -v debootstrap >/dev/null || {
		log "installing debootstrap"
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2
	}
	rm -rf "$root"
	mkdir -p "$cache"
	log "debootstrap trixie with postgresql-17 and pgvector into $root (about 75 s)"
	debootstrap --variant=minbase --include=postgresql-17,postgresql-17-pgvector \
		trixie "$root" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 || {
		tail -n 30 "$cache/debootstrap.log" >&2
		exit 1
	}
	touch "$root/.taiwa-ready"
}

in_root() { chroot "$root" /usr/sbin/runuser -u postgres -- "$@"; }

start() {
	provision
	stop_quiet
	mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
	rm -rf "$root$datadir"
	mkdir -p "$root$datadir" "$root/run/postgresql"
	chroot "$root" chown -R postgres:postgres /var/lib/taiwa-ci /run/postgresql
	in_root "$pgbin/initdb" -D "$datadir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
	cat >>"$root$datadir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '/run/postgresql'
dynamic_shared_memory_type = mmap
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
CONF
	in_root "$pgbin/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w start >/dev/null
	# The owner runs migrations; taiwa_login is the unprivileged role the server
	# logs in as (no superuser, no BYPASSRLS), as on a production server.
	in_root psql -q -h /run/postgresql -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 <<SQL >&2
CREATE ROLE taiwa_owner LOGIN CREATEROLE PASSWORD 'owner';
CREATE DATABASE taiwa OWNER taiwa_owner;
\c taiwa
CREATE EXTENSION IF NOT EXISTS vector;
SQL
	log "PostgreSQL 17 ready on 127.0.0.1:$port"
	echo "DATABASE_URL=postgres://taiwa_owner:owner@127.0.0.1:$port/taiwa?sslmode=disable"
}

stop_quiet() {
	if [ -f "$root$datadir/postmaster.pid" ]; then
		in_root "$pgbin/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null 2>&1 || true
	fi
}

# restart [SECONDS] stops the server, waits, and starts it again with its
# data: the recovery test takes the database away from a server under load.
restart() {
	in_root "$pgbin/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null
	sleep "${1:-0}"
	in_root "$pgbin/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w start >/dev/null
}

stop() {
	stop_quiet
	mountpoint -q "$root/proc" && umount "$root/proc" || true
}

case "${1:-}" in
start) start ;;
restart) restart "${2:-0}" ;;
stop) stop ;;
*) echo "usage: $0 start|restart|stop" >&2; exit 2 ;;
esac
