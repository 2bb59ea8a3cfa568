#!/usr/bin/env bash
# Transcribe a recording end to end on this machine: ./run.sh [recording]
# Installs and starts what is missing (Redis, Azurite, ffmpeg, espeak-ng, PocketSphinx), starts the master (the
# Functions host when Core Tools are installed, otherwise Orchard.LocalHost) and two reference workers, transcribes
# the recording (or, with none given, a sample it speaks with espeak-ng), prints the transcript with timestamps and
# the URLs to look at, and stops everything it started.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
work="$root/.ci/work/run"
mkdir -p "$work"
pids=()
services_were_up=false
[ -f .ci/work/services.env ] && services_were_up=true

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
cleanup() {
  for pid in "${pids[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  $services_were_up || scripts/services.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json() { python3 -c "import sys,json; d=json.load(sys.stdin); print($1)"; }

recording="${1:-}"
if [ -n "$recording" ] && [ ! -f "$recording" ]; then
  echo "No such file: $recording" >&2
  exit 2
fi

say "Services (Redis, Azurite; installing what is missing)"
scripts/services.sh up
# shellcheck disable=SC1091
source .ci/work/services.env

say "Building the master, the worker and the orchard CLI"
dotnet build -c Release -v quiet -nologo Orchard.LocalHost/Orchard.LocalHost.csproj >"$work/build.log" 2>&1 &&
  dotnet build -c Release -v quiet -nologo Orchard.Worker/Orchard.Worker.csproj >>"$work/build.log" 2>&1 &&
  dotnet build -c Release -v quiet -nologo Orchard.Cli/Orchard.Cli.csproj >>"$work/build.log" 2>&1 ||
  { tail -30 "$work/build.log"; echo "Build failed (full log: $work/build.log)" >&2; exit 1; }

master_port=$(free_port)
master="http://127.0.0.1:$master_port"
# The spoken sample lasts about a minute: 30-second chunks let it show both workers at work.
[ -z "$recording" ] && export Audio__TargetChunkSeconds=30
export AZURE_FUNCTIONS_ENVIRONMENT=Development AzureWebJobsStorage="$ORCHARD_TEST_STORAGE" State__RedisConnectionString="$ORCHARD_TEST_REDIS" \
  State__KeyPrefix="run:" DurableEngine__TaskHubName="run$(date +%s)" Storage__ContainerName="orchard-run" \
  Workers__AllowPrivateNetworks=true Workers__AllowHttp=true  # the workers below listen on http://127.0.0.1
# The timers' schedules, as local.settings.sample.json and infra/ set them: without them neither host runs the timers.
export Timers__WorkerSweep="${Timers__WorkerSweep:-0 * * * * *}" Timers__JobCleanup="${Timers__JobCleanup:-30 * * * * *}"
if command -v func >/dev/null 2>&1; then
  say "Starting the master: Azure Functions Core Tools (func start) on $master"
  (cd Orchard.Functions && exec func start --port "$master_port") >"$work/master.log" 2>&1 &
else
  say "Starting the master: Orchard.LocalHost on $master (Core Tools not installed)"
  urls="$master" dotnet Orchard.LocalHost/bin/Release/net10.0/Orchard.LocalHost.dll >"$work/master.log" 2>&1 &
fi
pids+=($!)
for _ in $(seq 1 120); do curl -fs "$master/stats" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "$master/stats" >/dev/null || { tail -30 "$work/master.log"; echo "The master did not start (log: $work/master.log)" >&2; exit 1; }

say "Starting two pull workers (PocketSphinx, offline English recognition; they call the master and open no port)"
for n in 1 2; do
  dotnet Orchard.Worker/bin/Release/net10.0/Orchard.Worker.dll --Worker:Mode=pull \
    --Worker:MasterUrl="$master" --Worker:Name="worker-$n" \
    >"$work/worker-$n.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 1 120); do
  count=$(curl -fs "$master/workers" 2>/dev/null | json 'd["count"]' 2>/dev/null || echo 0)
  [ "$count" -ge 2 ] && break
  sleep 0.5
done
[ "${count:-0}" -ge 2 ] || { tail -20 "$work"/worker-*.log; echo "The workers did not register (logs in $work)" >&2; exit 1; }

if [ -z "$recording" ]; then
  say "No recording given: speaking a sample with espeak-ng"
  recording="$work/sample.wav"
  espeak-ng -s 150 -m -w "$work/sample-raw.wav" "<speak>
    Welcome to the first lecture of this course. <break time=\"1500ms\"/>
    Today we talk about how a long recording becomes a transcript. <break time=\"2500ms\"/>
    The master splits the audio at silences, and sends each piece to a worker. <break time=\"1200ms\"/>
    Each worker listens, and writes down what it hears. <break time=\"3000ms\"/>
    When every piece is back, the master joins the text, and puts every sentence at the right time. <break time=\"2000ms\"/>
    Even when a worker fails half way, no sentence is lost. <break time=\"1500ms\"/>
    Thank you for listening. <break time="2500ms"/>
    In the second part, we look at the workers themselves. <break time="1800ms"/>
    Some are old phones, some are small boards, and some are fast machines with a graphics card. <break time="2200ms"/>
    The master measures how fast each one is, and gives the longest pieces to the fastest. <break time="1300ms"/>
    A new worker first gets a short piece, so that the master can learn its speed. <break time="2700ms"/>
    If a worker does not answer in time, its piece goes to another worker. <break time="1600ms"/>
    That is all for today. See you next week. </speak>"
  ffmpeg -loglevel error -y -i "$work/sample-raw.wav" -ar 16000 -ac 1 "$recording"
fi

# The orchard CLI (Orchard.Cli; `dotnet pack` makes it a .NET tool) submits, shows progress and writes the transcript.
orchard() { dotnet "$root/Orchard.Cli/bin/Release/net10.0/Orchard.Cli.dll" "$@"; }
export ORCHARD_MASTER="$master"
say "Submitting $(basename "$recording") with the orchard CLI"
echo "While it runs, look at"
echo "  $master/jobs   $master/workers   $master/stats   $master/openapi.json"
echo "  ORCHARD_MASTER=$master dotnet Orchard.Cli/bin/Release/net10.0/Orchard.Cli.dll job <job id>   (also: jobs, workers)"
echo "  redis-cli -p $ORCHARD_REDIS_PORT GET run:job:<job id>"
rm -f "$work/transcript.json"
# On refusal the CLI prints the master's own sentence (415 not audio, 422 outside the decode bounds, 413 too large...);
# on a failed job its error, and it still writes what was transcribed, each gap marked (none when it ended before the split).
submitted=0
orchard submit "$recording" --wait --format json -o "$work/transcript.json" || submitted=$?
if [ -f "$work/transcript.json" ]; then
  if [ "$submitted" -eq 0 ]; then say "Transcript (times on the original recording)"; else say "What was transcribed (gaps marked)"; fi
  python3 - "$work/transcript.json" <<'PY'
import sys, json
d = json.load(open(sys.argv[1]))
lines = [(s["start_ms"], "[" + s["start"] + " --> " + s["end"] + "]  " + s["text"]) for s in d["segments"]]
lines += [(g["start_ms"], "[" + g["start"] + " --> " + g["end"] + "]  [untranscribed: " + g["reason"] + "]") for g in d.get("gaps") or []]
for _, line in sorted(lines, key=lambda l: l[0]):
    print(line)
print()
print(str(d["segments_count"]) + " segments over " + str(round(d["duration_ms"] / 1000)) + " s of audio")
PY
fi
[ "$submitted" -eq 0 ] || exit 1

echo "Logs: $work (everything started here stops now)"
