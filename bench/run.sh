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
# Mixed-load soak: Locust, 200 people for 5 minutes through the gateway; HTML report and
# JSON in bench/results/; exits 1 on a 5xx or a service's RSS growing by 10 % or more.
.venv/bin/python bench/soak.py
# Request cost against anchors (bench/anchor.py, the least a Python service can do): each hot
# route as a ratio of its anchor, with CPU ms per request; then creates/s with one and with
# two tickets replicas. Markdown on stdout, JSON in bench/results/.
.venv/bin/python bench/cost.py "$@"
.venv/bin/python bench/replicas.py "$@"
