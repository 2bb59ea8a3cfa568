#!/usr/bin/env bash
# Installs what is missing and starts the services Orchard's tests and local runs need, on 127.0.0.1:
# redis-server (apt), Azurite (npm, pinned, into .tools/), ffmpeg, espeak-ng and PocketSphinx (apt), and Debian's
# chromium (apt) for the dashboard's browser test (Playwright cannot download browsers here).
#   scripts/services.sh up     start (idempotent); writes .ci/work/services.env
#   scripts/services.sh down   stop what `up` started
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/.ci/work"
envfile="$work/services.env"
azurite_version=3.37.0
mkdir -p "$work"

free_port() {
  python3 - <<'PY' 2>/dev/null || shuf -i 20000-40000 -n 1
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

wait_port() { # host port seconds
  local deadline=$((SECONDS + $3))
  until (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "service on $1:$2 did not start in $3 s" >&2; return 1; }
    sleep 0.2
  done
}

install_missing() {
  local need=()
  command -v redis-server >/dev/null || need+=(redis-server)
  command -v ffmpeg >/dev/null || need+=(ffmpeg)
  command -v espeak-ng >/dev/null || need+=(espeak-ng)
  command -v pocketsphinx_continuous >/dev/null || need+=(pocketsphinx)
  # The reference worker's offline engine needs the English model too, which is a package of its own.
  [ -f /usr/share/pocketsphinx/model/en-us/en-us/mdef ] || need+=(pocketsphinx-en-us)
  command -v chromium >/dev/null || need+=(chromium)
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]} (apt)"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  if [ ! -x "$root/.tools/azurite/node_modules/.bin/azurite" ]; then
    echo "installing azurite@$azurite_version (npm, into .tools/azurite)"
    mkdir -p "$root/.tools/azurite"
    (cd "$root/.tools/azurite" && npm install --silent --no-audit --no-fund "azurite@$azurite_version" >/dev/null)
  fi
}

up() {
  # Before the early return below: a tool added since the services were started (chromium) is installed too.
  install_missing
  if [ -f "$envfile" ]; then
    # shellcheck disable=SC1090
    source "$envfile"
    if redis-cli -p "$ORCHARD_REDIS_PORT" ping >/dev/null 2>&1 && (exec 3<>"/dev/tcp/127.0.0.1/$ORCHARD_BLOB_PORT") 2>/dev/null; then
      echo "services already up (redis :$ORCHARD_REDIS_PORT, azurite blob :$ORCHARD_BLOB_PORT)"
      return 0
    fi
    down >/dev/null 2>&1 || true
  fi
  local redis_port blob_port queue_port table_port
  redis_port=$(free_port); blob_port=$(free_port); queue_port=$(free_port); table_port=$(free_port)
  mkdir -p "$work/redis" "$work/azurite"
  redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
    --dir "$work/redis" --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log"
  nohup "$root/.tools/azurite/node_modules/.bin/azurite" --silent --skipApiVersionCheck --loose \
    --blobHost 127.0.0.1 --blobPort "$blob_port" --queueHost 127.0.0.1 --queuePort "$queue_port" \
    --tableHost 127.0.0.1 --tablePort "$table_port" --location "$work/azurite" \
    >"$work/azurite.log" 2>&1 &
  echo $! >"$work/azurite.pid"
  wait_port 127.0.0.1 "$redis_port" 20
  wait_port 127.0.0.1 "$blob_port" 60
  wait_port 127.0.0.1 "$queue_port" 60
  wait_port 127.0.0.1 "$table_port" 60
  local key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  cat >"$envfile" <<ENV
export ORCHARD_REDIS_PORT=$redis_port
export ORCHARD_BLOB_PORT=$blob_port
export ORCHARD_TEST_REDIS="127.0.0.1:$redis_port"
export ORCHARD_TEST_STORAGE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob_port/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue_port/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table_port/devstoreaccount1;"
ENV
  echo "services up: redis 127.0.0.1:$redis_port, azurite blob 127.0.0.1:$blob_port (env in ${envfile#$root/})"
}

stop_pid() { # pidfile: SIGTERM, then SIGKILL after 5 s (Azurite can linger on open keep-alive connections)
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

down() {
  stop_pid "$work/redis.pid"
  stop_pid "$work/azurite.pid"
  rm -f "$work/redis.pid" "$work/azurite.pid" "$envfile"
  rm -rf "$work/azurite" "$work/redis"
  echo "services down"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
