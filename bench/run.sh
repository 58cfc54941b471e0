#!/usr/bin/env bash
# Tocsin benchmarks (run through `./tocsin bench`):
#   1. packets/s of `tocsin analyze` (capture + decode + flows + hosts + checks, one core, no nDPI) on a large
#      capture built from ../shared/pcaps/ndpi, against Debian's ndpiReader on the same file in the same script;
#   2. managed memory per flow.
# Figures are medians of BENCH_RUNS runs; ratios compare runs made here, one after the other.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${TOCSIN_SHARED:-$repo/../shared}"
out="$repo/bench/out"
copies="${BENCH_COPIES:-64}"
runs="${BENCH_RUNS:-3}"
mkdir -p "$out"

dotnet build "$repo/bench/Tocsin.Bench/Tocsin.Bench.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly >&2
bench_tool="$repo/artifacts/bin/Tocsin.Bench/release/Tocsin.Bench.dll"
tocsin="$repo/artifacts/bin/Tocsin.Cli/release/tocsin.dll"

capture="$out/bench-$copies.pcap"
if [ ! -f "$capture" ]; then
  dotnet "$bench_tool" make-capture "$capture" "$shared/pcaps/ndpi/pcap" "$copies" >&2
fi

median() { sort -g | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# Analysis-only packets/s as Tocsin reports it (excludes process start-up), and peak RSS.
tocsin_run() {
  local config=("$@") i pps=() rss=() packets=0
  for i in $(seq "$runs"); do
    rm -f "$out/bench.db"*
    local text
    text=$( { /usr/bin/time -f "RSS %M" dotnet "$tocsin" analyze "$capture" "${config[@]}" --format json --db "$out/bench.db"; } 2>&1 )
    pps+=("$(echo "$text" | sed -n 's/.*"packets_per_second": *\([0-9.]*\).*/\1/p')")
    packets=$(echo "$text" | sed -n 's/^ *"packets": *\([0-9]*\).*/\1/p' | head -1)
    rss+=("$(echo "$text" | awk '/^RSS/{print $2}')")
  done
  echo "$(printf '%s\n' "${pps[@]}" | median) $(printf '%s\n' "${rss[@]}" | median) $packets"
}

ndpi_run() {
  local i pps=() rss=()
  for i in $(seq "$runs"); do
    local text ms
    text=$( { /usr/bin/time -f "RSS %M" ndpiReader -i "$capture" -n 1 2>&1; } 2>&1 )
    ms=$(echo "$text" | awk '/Packet Processing Time/{print $4}')
    pps+=("$(awk -v p="$packets" -v ms="$ms" 'BEGIN{printf "%.0f", p / (ms / 1000)}')")
    rss+=("$(echo "$text" | awk '/RSS/{print $2}')")
  done
  echo "$(printf '%s\n' "${pps[@]}" | median) $(printf '%s\n' "${rss[@]}" | median)"
}

read -r default_pps default_rss packets < <(tocsin_run)
read -r all_pps all_rss _ < <(tocsin_run --config "$repo/bench/bench.yaml")
read -r ndpi_pps ndpi_rss < <(ndpi_run)
flow_bytes=$(dotnet "$bench_tool" flow-memory 200000 | sed -n 's/.*bytes_per_flow_with_two_hosts=//p')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }
mpps() { awk -v a="$1" 'BEGIN{printf "%.2f M", a / 1e6}'; }
cpu=$(awk -F: '/model name/{print $2; exit}' /proc/cpuinfo | sed 's/^ *//')

{
  echo "Capture: $(basename "$capture"), $packets packets ($copies address-rewritten copies of the shared nDPI captures); median of $runs runs; $cpu, $(nproc) cores."
  echo
  echo "| run | packets/s | vs ndpiReader | peak RSS |"
  echo "|---|---:|---:|---:|"
  echo "| tocsin analyze, default checks | $(mpps "$default_pps") | $(ratio "$default_pps" "$ndpi_pps")× | $((default_rss / 1024)) MB |"
  echo "| tocsin analyze, every check on (bench/bench.yaml) | $(mpps "$all_pps") | $(ratio "$all_pps" "$ndpi_pps")× | $((all_rss / 1024)) MB |"
  echo "| ndpiReader 4.2 (Debian), 1 thread, with DPI | $(mpps "$ndpi_pps") | 1.00× | $((ndpi_rss / 1024)) MB |"
  echo
  echo "Managed memory per flow, with its two hosts (200,000 flows): $flow_bytes bytes."
} | tee "$out/results.md"
