#!/usr/bin/env bash
# A shell client of the cinesynth gateway with grpcurl + jq, written from proto/ and the README only:
# make a short film, watch it to the end (checking that event sequence numbers have no holes), download it.
#
#   examples/grpcurl/make_film.sh OUT.mp4 [PROMPT]
#   env: CINESYNTH_GATEWAY (host:port, default localhost:50051), CINESYNTH_API_KEY (when the gateway has keys),
#        GRPCURL (default: grpcurl on PATH), DURATION (10), SCENES (3), FPS (12), SIZE (320x180)
# grpcurl reads the contract from proto/ (self-contained: google/rpc is vendored), so the gateway's
# reflection is not needed; with reflection on, drop -import-path/-proto.
set -euo pipefail
out=${1:?usage: make_film.sh OUT.mp4 [PROMPT]}
prompt=${2:-a lighthouse keeper finds a map in a bottle and sails to a hidden island}
here=$(cd "$(dirname "$0")" && pwd)
proto_dir=${CINESYNTH_PROTO_DIR:-$here/../../proto}
target=${CINESYNTH_GATEWAY:-localhost:50051}
grpcurl=${GRPCURL:-grpcurl}
width=${SIZE:-320x180}; height=${width#*x}; width=${width%x*}

call() {  # call METHOD JSON
  local auth=()
  [ -n "${CINESYNTH_API_KEY:-}" ] && auth=(-H "authorization: Bearer $CINESYNTH_API_KEY")
  "$grpcurl" -plaintext -import-path "$proto_dir" -proto cinesynth/v1/video_service.proto \
    -emit-defaults "${auth[@]}" -d "$2" "$target" "cinesynth.v1.VideoService/$1"
}

request_id=$(cat /proc/sys/kernel/random/uuid)
request=$(jq -nc --arg id "$request_id" --arg prompt "$prompt" \
  --argjson d "${DURATION:-10}" --argjson n "${SCENES:-3}" --argjson fps "${FPS:-12}" \
  --argjson w "$width" --argjson h "$height" \
  '{request_id: $id, prompt: $prompt, labels: {example: "grpcurl"},
    spec: {duration_s: $d, scene_count: $n, fps: $fps, width: $w, height: $h, tier: "TIER_DRAFT"}}')
name=$(call CreateVideo "$request" | jq -r .job.name)
echo "created $name (request_id $request_id)" >&2

# WatchJob streams one JSON object per event; resume after the last sequence if the stream drops.
after=0; state=""
for attempt in 1 2 3 4 5; do
  while IFS= read -r event; do
    sequence=$(jq -r .sequence <<<"$event"); state=$(jq -r .state <<<"$event")
    if [ "$after" != 0 ] && [ "$sequence" != $((after + 1)) ]; then
      echo "event sequence jumped from $after to $sequence" >&2; exit 1
    fi
    after=$sequence
    jq -c '{sequence, state, stage, progress, eta_s, message}' <<<"$event" >&2
  done < <(call WatchJob "{\"name\": \"$name\", \"after_sequence\": $after}" | jq -c --unbuffered .event)
  case $state in JOB_STATE_SUCCEEDED|JOB_STATE_FAILED|JOB_STATE_CANCELLED) break ;; esac
  sleep "$attempt"
done
if [ "$state" != JOB_STATE_SUCCEEDED ]; then
  call GetJob "{\"name\": \"$name\"}" | jq -c '.job | {state, error}' >&2
  exit 1
fi

# DownloadArtifact streams chunks; bytes fields are base64 in grpcurl's JSON.
chunks=$(mktemp); trap 'rm -f "$chunks"' EXIT
call DownloadArtifact "{\"name\": \"$name\", \"kind\": \"ARTIFACT_KIND_VIDEO\"}" | jq -c . >"$chunks"
jq -r 'select(.data != null and .data != "") | .data' "$chunks" | while IFS= read -r b64; do
  printf '%s' "$b64" | base64 -d
done >"$out"
expected=$(jq -r 'select(.artifact != null) | .artifact.sha256' "$chunks" | head -1)
actual=$(sha256sum "$out" | cut -d' ' -f1)
[ "$expected" = "$actual" ] || { echo "sha256 mismatch: $actual, artifact says $expected" >&2; exit 1; }
jq -nc --arg job "$name" --arg out "$out" --arg sha256 "$actual" --argjson events "$after" \
  '{job: $job, state: "JOB_STATE_SUCCEEDED", out: $out, sha256: $sha256, last_sequence: $events}'
