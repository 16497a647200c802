#!/bin/sh
# deps.sh - install what dcstage needs to build, test and benchmark, from
# Debian's packages.  Does nothing when everything is already there.
#   scripts/deps.sh          install what is missing (needs root or sudo)
#   scripts/deps.sh --check  exit 1 if something is missing, install nothing
set -eu

libs="sqlite3:libsqlite3-dev zlib:zlib1g-dev libcurl:libcurl4-openssl-dev
jansson:libjansson-dev libmicrohttpd:libmicrohttpd-dev"
cmds="cc:gcc make:make pkg-config:pkg-config sqlite3:sqlite3 curl:curl
gzip:gzip /usr/bin/time:time"

missing=""
for pair in $libs; do
	pc=${pair%%:*}
	if ! command -v pkg-config >/dev/null 2>&1 ||
	   ! pkg-config --exists "$pc"; then
		missing="$missing ${pair#*:}"
	fi
done
for pair in $cmds; do
	command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done

[ -z "$missing" ] && exit 0
if [ "${1:-}" = "--check" ]; then
	echo "missing:$missing" >&2
	exit 1
fi

echo "deps.sh: installing:$missing" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps.sh: apt-get not found; install these packages by hand:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! { $sudo apt-get update -qq &&
       $sudo apt-get install -y -qq --no-install-recommends $missing; } >&2; then
	echo "deps.sh: could not install:$missing (is the package registry reachable?)" >&2
	exit 1
fi
