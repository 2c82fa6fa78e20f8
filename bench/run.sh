#!/usr/bin/env bash
# Runs the benchmarks; installs wrk and nginx (Debian packages) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need[@]}"
fi
.venv/bin/python bench/backbone.py "$@"
