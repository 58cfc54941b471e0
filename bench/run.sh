#!/usr/bin/env bash
# Tocsin benchmarks (run through `./tocsin bench`), all against references run in this same script:
#   1. packets/s of `tocsin analyze` on a large capture built from ../shared/pcaps/ndpi: without nDPI (capture, decode,
#      flows, hosts, checks), then with nDPI on one and two workers, against Debian's ndpiReader on the same file
#      with the same list files; then nDPI on one and two workers and ndpiReader on a capture four times as large
#      (four times the flows at once), where start-up costs weigh less and flow tables are larger;
#   2. alerts/s into the SQLite alert store, against SQLite copying the same rows itself;
#   3. notifications: alerts/s through the durable queue to a webhook, against an in-memory endpoint, and the delay
#      from creation to receipt at 1,000 alerts/s;
#   4. managed memory per flow.
# Packet figures are medians of BENCH_RUNS rounds, each running every configuration once, alternating.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="$(cd "${TOCSIN_SHARED:-$repo/../shared}" && pwd)"
out="$repo/bench/out"
copies="${BENCH_COPIES:-32}"
large_copies=$((copies * 4))
runs="${BENCH_RUNS:-3}"
mkdir -p "$out"

dotnet build "$repo/bench/Tocsin.Bench/Tocsin.Bench.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly >&2
# The native executable that `./tocsin` runs (compiled ahead of time).
dotnet publish "$repo/src/Tocsin.Cli/Tocsin.Cli.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly >&2
bench_tool="$repo/artifacts/bin/Tocsin.Bench/release/Tocsin.Bench.dll"
tocsin="$repo/artifacts/publish/Tocsin.Cli/release/tocsin"

capture="$out/bench-$copies.pcap"
large_capture="$out/bench-$large_copies.pcap"
for n in "$copies" "$large_copies"; do
  if [ ! -f "$out/bench-$n.pcap" ]; then
    dotnet "$bench_tool" make-capture "$out/bench-$n.pcap" "$shared/pcaps/ndpi/pcap" "$n" >&2
  fi
done

# The list files nDPI's own tests use, for both Tocsin and ndpiReader.
lists="$shared/pcaps/ndpi/config"
ndpi_config="$out/ndpi.yaml"
cat > "$ndpi_config" <<EOF
ndpi:
  protocols: $lists/protos.txt
  categories: $lists/categories.txt
  risky_domains: $lists/risky_domains.txt
  malicious_ja3: $lists/ja3_fingerprints.csv
  malicious_sha1: $lists/sha1_fingerprints.csv
# The large capture has more flows live at once than the default table (131072): refused flows would skip
# detection and make Tocsin look faster than it is. tocsin_run fails if any flow or host is refused.
flows:
  max: 1048576
hosts:
  max: 1048576
EOF

median() { sort -g | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# One run of `tocsin analyze` on a capture ($1): packets/s from the first packet read until the last alert is in the
# store (the analysis' time as Tocsin reports it plus the store's final drain; without process start-up), peak RSS
# in KiB, and the packet count.
tocsin_once() {
  local file="$1" text status=0 run_pps refused
  shift
  rm -f "$out/bench.db"*
  text=$( { /usr/bin/time -f "RSS %M" "$tocsin" analyze "$file" "$@" --quiet --format json --db "$out/bench.db"; } 2>&1 ) || status=$?
  # From Tocsin's own packets/s (elapsed_seconds is rounded to the millisecond, a quarter percent of a short run).
  run_pps=$(echo "$text" | awk -F': *' '
    /^ *"packets":/ && !p { p = $2 + 0 }
    /"packets_per_second":/ { r = $2 + 0 }
    /"store_drain_seconds":/ { d = $2 + 0 }
    END { if (p > 0 && r > 0) printf "%.0f", p / (p / r + d) }')
  # This runs in a process substitution: say why here, the caller only sees the output end (and its read fail).
  if [ "$status" -ne 0 ] || [ -z "$run_pps" ]; then
    printf 'bench: tocsin analyze %s %s failed (exit %s):\n%s\n' "$file" "$*" "$status" "$text" >&2
    exit 1
  fi
  refused=$(echo "$text" | sed -n 's/.*"\(flows\|hosts\)_refused": *\([0-9]*\).*/\2/p' | awk '{s+=$1} END{print s+0}')
  if [ "$refused" -ne 0 ]; then
    printf 'bench: tocsin analyze %s %s refused %s flows or hosts (table full): raise flows.max / hosts.max\n' "$file" "$*" "$refused" >&2
    exit 1
  fi
  echo "$run_pps $(echo "$text" | awk '/^RSS/{print $2}') $(echo "$text" | sed -n 's/^ *"packets": *\([0-9]*\).*/\1/p' | head -1)"
}

# One run of ndpiReader on a capture ($1) of $2 packets: packets/s over its own "Packet Processing Time", peak RSS.
ndpi_once() {
  local file="$1" count="$2" text ms status=0
  text=$( { /usr/bin/time -f "RSS %M" ndpiReader -i "$file" -n 1 -p "$lists/protos.txt" -c "$lists/categories.txt" \
    -r "$lists/risky_domains.txt" -j "$lists/ja3_fingerprints.csv" -S "$lists/sha1_fingerprints.csv" 2>&1; } 2>&1 ) || status=$?
  ms=$(echo "$text" | awk '/Packet Processing Time/{print $4}')
  if [ "$status" -ne 0 ] || [ -z "$ms" ]; then
    printf 'bench: ndpiReader on %s failed (exit %s) or printed no processing time:\n%s\n' "$file" "$status" "$text" >&2
    exit 1
  fi
  echo "$(awk -v p="$count" -v ms="$ms" 'BEGIN{printf "%.0f", p / (ms / 1000)}') $(echo "$text" | awk '/RSS/{print $2}')"
}

# The configurations, each run once per round; the rounds alternate (A B C ... A B C ...) so that a slow spell of
# the machine weighs on every configuration alike, not on whichever ran then. ndpiReader's runs come after a
# Tocsin run of the same capture, which counts its packets.
configs=(plain all dpi1 dpi2 bare1 bare2 ndpi large1 large2 large_stored large_ndpi)
run_config() {
  case "$1" in
    plain) tocsin_once "$capture" --no-dpi --workers 1 ;;
    all) tocsin_once "$capture" --no-dpi --workers 1 --config "$repo/bench/bench.yaml" ;;
    dpi1) tocsin_once "$capture" --workers 1 --config "$ndpi_config" ;;
    dpi2) tocsin_once "$capture" --workers 2 --config "$ndpi_config" ;;
    bare1) tocsin_once "$capture" --workers 1 --config "$ndpi_config" --no-store ;;
    bare2) tocsin_once "$capture" --workers 2 --config "$ndpi_config" --no-store ;;
    ndpi) ndpi_once "$capture" "$packets" ;;
    large1) tocsin_once "$large_capture" --workers 1 --config "$ndpi_config" --no-store ;;
    large2) tocsin_once "$large_capture" --workers 2 --config "$ndpi_config" --no-store ;;
    large_stored) tocsin_once "$large_capture" --workers 1 --config "$ndpi_config" ;;
    large_ndpi) ndpi_once "$large_capture" "$large_packets" ;;
  esac
}
declare -A pps_runs rss_runs
packets=0
large_packets=0
for round in $(seq "$runs"); do
  for name in "${configs[@]}"; do
    read -r run_pps run_rss run_packets < <(run_config "$name")
    pps_runs[$name]+="$run_pps "
    rss_runs[$name]+="$run_rss "
    case "$name" in
      plain) packets=$run_packets ;;
      large1) large_packets=$run_packets ;;
    esac
  done
  echo "bench: round $round of $runs done" >&2
done
# Sets plain_pps, plain_rss, dpi1_pps... to the medians.
for name in "${configs[@]}"; do
  printf -v "${name}_pps" '%s' "$(printf '%s\n' ${pps_runs[$name]} | median)"
  printf -v "${name}_rss" '%s' "$(printf '%s\n' ${rss_runs[$name]} | median)"
done

# The store benchmark re-writes the alerts of the last stored nDPI run.
rm -f "$out/bench.db"*
"$tocsin" analyze "$capture" --workers 1 --config "$ndpi_config" --quiet --db "$out/bench.db" > /dev/null
store=$(dotnet "$bench_tool" store "$out/bench.db")
notify=$(dotnet "$bench_tool" notify 200000)
flow_bytes=$(dotnet "$bench_tool" flow-memory 200000 | sed -n 's/.*bytes_per_flow_with_two_hosts=//p')
echo "$store" > "$out/store.txt"
echo "$notify" > "$out/notify.txt"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }
mpps() { awk -v a="$1" 'BEGIN{printf "%.2f M", a / 1e6}'; }
thousands() { awk -v a="$1" 'BEGIN{n = sprintf("%d", a); s = ""; while (length(n) > 3) { s = "," substr(n, length(n) - 2) s; n = substr(n, 1, length(n) - 3) } print n s}'; }
field() { echo "$1" | grep -o "$2=[0-9.]*" | head -1 | cut -d= -f2; }
# A packets/s table row: label, packets/s, the reference's packets/s, peak RSS in KiB.
row() { echo "| $1 | $(mpps "$2") | $(ratio "$2" "$3")× | $(($4 / 1024)) MB |"; }
header() { echo "| run | packets/s | vs ndpiReader | peak RSS |"; echo "|---|---:|---:|---:|"; }
cpu=$(awk -F: '/model name/{print $2; exit}' /proc/cpuinfo | sed 's/^ *//')

{
  echo "Capture: $(basename "$capture"), $packets packets ($copies address-rewritten copies of the shared nDPI captures played at once); median of $runs alternating rounds; $cpu, $(nproc) cores."
  echo
  header
  row "analyze --no-dpi, 1 worker, default checks" "$plain_pps" "$ndpi_pps" "$plain_rss"
  row "analyze --no-dpi, 1 worker, every check on (bench/bench.yaml)" "$all_pps" "$ndpi_pps" "$all_rss"
  row "analyze with nDPI, 1 worker ($(thousands "$(field "$store" alerts)") alerts stored)" "$dpi1_pps" "$ndpi_pps" "$dpi1_rss"
  row "analyze with nDPI, 2 workers, store on" "$dpi2_pps" "$ndpi_pps" "$dpi2_rss"
  row "analyze with nDPI, 1 worker, --no-store" "$bare1_pps" "$ndpi_pps" "$bare1_rss"
  row "analyze with nDPI, 2 workers, --no-store" "$bare2_pps" "$ndpi_pps" "$bare2_rss"
  row "ndpiReader 4.2 (Debian), 1 thread, same list files" "$ndpi_pps" "$ndpi_pps" "$ndpi_rss"
  echo
  echo "Two workers against one: $(ratio "$dpi2_pps" "$dpi1_pps")× with the store, $(ratio "$bare2_pps" "$bare1_pps")× without."
  echo
  echo "Four times as large: $(basename "$large_capture"), $large_packets packets ($large_copies copies at once), nDPI:"
  echo
  header
  row "analyze, 1 worker, --no-store" "$large1_pps" "$large_ndpi_pps" "$large1_rss"
  row "analyze, 2 workers, --no-store" "$large2_pps" "$large_ndpi_pps" "$large2_rss"
  row "analyze, 1 worker, store on" "$large_stored_pps" "$large_ndpi_pps" "$large_stored_rss"
  row "ndpiReader 4.2, 1 thread" "$large_ndpi_pps" "$large_ndpi_pps" "$large_ndpi_rss"
  echo
  echo "Two workers against one on the large capture: $(ratio "$large2_pps" "$large1_pps")×."
  echo
  echo "Alert store: $(thousands "$(field "$store" store_alerts_per_s)") alerts/s written one by one ($(field "$store" alerts) alerts of the nDPI run, batches of $(field "$store" batch)); SQLite copying the same rows itself: $(thousands "$(field "$store" sqlite_copy_rows_per_s)") rows/s ($(field "$store" vs_sqlite)×)."
  echo
  echo "Notifications ($(field "$notify" alerts) alerts, durable queue, one recipient):"
  echo
  echo "| endpoint | alerts/s | vs in-memory endpoint | vs ntopng (333/s) |"
  echo "|---|---:|---:|---:|"
  for name in memory webhook10 webhook100; do
    line=$(echo "$notify" | grep "throughput $name:")
    echo "| $name | $(thousands "$(field "$line" alerts_per_s)") | $(field "$line" vs_memory)× | $(field "$line" vs_ntopng_333)× |"
  done
  latency=$(echo "$notify" | grep "^latency")
  echo
  echo "Webhook delivery delay at 1,000 alerts/s (creation to receipt): p50 $(field "$latency" p50_ms) ms, p99 $(field "$latency" p99_ms) ms, max $(field "$latency" max_ms) ms."
  echo
  echo "Managed memory per flow, with its two hosts (200,000 flows): $flow_bytes bytes."
} | tee "$out/results.md"
