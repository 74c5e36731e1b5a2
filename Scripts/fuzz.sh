#!/usr/bin/env bash
# Builds and runs the libFuzzer targets of the file readers (Fuzz/, see Fuzz/README.md).
#
#   Scripts/fuzz.sh TARGET SECONDS     run one target (or `all`, one after the other) for SECONDS each
#   Scripts/fuzz.sh build [TARGET]     only build (all targets by default)
#   Scripts/fuzz.sh list               the target names
#   Scripts/fuzz.sh seeds SHARED_DIR   write the seed corpora again from the shared data folder
#
# Targets are built in debug (Swift's overflow and bounds checks on, unlike the -Ounchecked
# release build) with AddressSanitizer, into .build-fuzz/. Each run reads the seeds in
# Fuzz/Corpus/TARGET (written from the shared data on first use, never committed) or, for the
# targets of our own text files, the committed Fuzz/Seeds/TARGET, and keeps what
# it finds in Fuzz/.work/TARGET/ (corpus/, crashes/, log), so a later run goes on from there. At the end it prints
# the executions and the edges covered. Exit status: non-zero if any target crashed.
# Extra libFuzzer options can be given in FUZZ_OPTIONS (e.g. FUZZ_OPTIONS="-jobs=1 -workers=1").
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
fuzz="$root/Fuzz"
scratch="$root/.build-fuzz"
targets=(safetensors png jpeg dataset-cache latent-cache mat tar gzip run-config stage-manifest run-ledger)

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

is_target() { local t; for t in "${targets[@]}"; do [[ "$t" == "$1" ]] && return 0; done; return 1; }

# SwiftPM's --sanitize=fuzzer alone was seen to leave the project's modules uninstrumented after
# a re-plan (only the target file got coverage counters), so the flags also go to every swiftc
# call directly, and the binary's coverage counters are counted before it is used.
build() {
  local t listing
  # SwiftPM does not notice a source file added to the project (a path dependency here) until
  # the manifest changes: when the list of files differs from the last build's, touch it.
  mkdir -p "$scratch"
  listing=$(find "$root/Sources" "$fuzz/Sources" "$fuzz/Targets" -name '*.swift' | sort | cksum)
  if [[ "$listing" != "$(cat "$scratch/sources.cksum" 2>/dev/null)" ]]; then
    touch "$fuzz/Package.swift"
    echo "$listing" >"$scratch/sources.cksum"
  fi
  for t in "$@"; do
    nice -n 15 swift build --package-path "$fuzz" --scratch-path "$scratch" -c debug \
      --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address --product "fuzz-$t" 2>&1 \
      | grep -v 'ld.gold: warning: Cannot export' >&2
    local counters
    counters=$(readelf -SW "$scratch/debug/fuzz-$t" \
      | awk '{ for (i = 1; i <= NF; i++) if ($i == "__sancov_cntrs") print $(i + 4) }')
    if (( 16#${counters:-0} < 10000 )); then
      echo "fuzz-$t has $((16#${counters:-0})) coverage counters, too few: the readers are not instrumented" >&2
      exit 1
    fi
  done
}

# The first stack frame of a report (on stdin) that is neither a runtime (sanitizer, libFuzzer,
# libc, Swift's) nor compiler-generated.
first_frame() {
  grep -E '^ +#[0-9]+ 0x' \
    | grep -vE 'compiler-rt|sanitizer|fuzzer::|libc\.so|libswiftCore|libswift_Concurrency|libFoundation|__interceptor|/<compiler-generated>|asan_|llvm-project' \
    | head -1 || true
}

# The C library a frame or report line lies in, if any.
library_of() {
  case "$1" in
    *libhdf5*) echo libhdf5 ;;
    *libpng*) echo libpng ;;
    *libturbojpeg*|*libjpeg*) echo libjpeg-turbo ;;
    *libz.so*) echo zlib ;;
  esac
}

# Where a finding lies, from libFuzzer's report in a log: "upstream: LIB" when it is inside one
# of the C libraries the project calls (libhdf5, libpng, libjpeg-turbo, zlib: the system's,
# which cannot be fixed here) on memory that library allocated itself; "ours" otherwise: a Swift
# trap, a broken contract, a memory error in our code or on a buffer our code handed over, or a
# hang, huge allocation or signal whose first frame outside the runtimes is ours.
classify() {
  local log="$1" summary lib allocated
  if grep -qE 'contract broken|Fatal error|Precondition failed|Assertion failed' "$log"; then echo ours; return; fi
  summary=$(grep -m1 -E '^SUMMARY: AddressSanitizer' "$log" || true)
  if [[ -n "$summary" ]]; then
    lib=$(library_of "$summary")
    # A report summarised in the sanitizer's own interceptor (memcpy-param-overlap, …) lies where
    # the first frame outside the runtimes is: inside libhdf5's H5HG_read is libhdf5's.
    [[ -n "$lib" ]] || lib=$(library_of "$(first_frame <"$log")")
    if [[ -z "$lib" ]]; then echo ours; return; fi
    allocated=$(sed -n '/allocated by thread/,/^$/p' "$log" | first_frame)
    if [[ -n "$allocated" && -z "$(library_of "$allocated")" ]]; then echo ours; else echo "upstream: $lib"; fi
    return
  fi
  lib=$(library_of "$(first_frame <"$log")")
  if [[ -n "$lib" ]]; then echo "upstream: $lib"; else echo ours; fi
}

# Runs one target for SECONDS in all. A finding inside a C library is moved to upstream/ and
# fuzzing goes on for the time left; a finding in our code ends the run with a failure.
run() {
  local target="$1" seconds="$2" work="$fuzz/.work/$1"
  mkdir -p "$work/corpus" "$work/crashes" "$work/upstream"
  local binary="$scratch/debug/fuzz-$target"
  local seeds_folder="Fuzz/Corpus/$target"
  has_committed_seeds "$target" && seeds_folder="Fuzz/Seeds/$target"
  echo "== fuzz-$target for ${seconds}s (seeds: $seeds_folder, findings: Fuzz/.work/$target)" >&2
  local deadline=$((SECONDS + seconds)) runs=0 edges="?" status=0 verdict="" session=0
  : >"$work/log"
  while (( SECONDS < deadline )); do
    session=$((session + 1))
    local log="$work/session.log" before
    before=$(find "$work/crashes" -type f | sort)
    status=0
    # -timeout: an input taking 10 s is a hang; -malloc_limit_mb: one allocation above 512 MiB is
    # a "huge allocation" (no reader needs that much for a file of a few KiB).
    local seeds=()
    [[ -d "$fuzz/Corpus/$target" ]] && seeds+=("$fuzz/Corpus/$target")
    has_committed_seeds "$target" && seeds+=("$fuzz/Seeds/$target")
    # shellcheck disable=SC2086
    ( cd "$work" && SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}" nice -n 19 "$binary" \
        -max_total_time=$((deadline - SECONDS)) -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
        -dict="$fuzz/Dictionaries/$target.dict" -artifact_prefix="$work/crashes/" -print_final_stats=1 \
        ${FUZZ_OPTIONS:-} "$work/corpus" "${seeds[@]}" ) >"$log" 2>&1 || status=$?
    cat "$log" >>"$work/log"
    local n
    n=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
    runs=$((runs + ${n:-0}))
    edges=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || echo "$edges")
    [[ $status -eq 0 ]] && break
    verdict=$(classify "$log")
    local found
    found=$(comm -13 <(echo "$before") <(find "$work/crashes" -type f | sort) | head -1)
    if [[ "$verdict" == ours || -z "$found" ]]; then
      grep -m 30 -E 'ERROR|SUMMARY|Fatal error|Precondition|contract broken|^ +#[0-9]+ 0x' "$log" >&2 || true
      echo "fuzz-$target: FINDING in our code: ${found:-no input saved} (see Fuzz/.work/$target/log)" >&2
      break
    fi
    echo "fuzz-$target: $verdict finding, kept as upstream/$(basename "$found"); fuzzing on" >&2
    mv "$found" "$work/upstream/"
    status=0
  done
  local upstream
  upstream=$(find "$work/upstream" -type f | wc -l)
  echo "fuzz-$target: $runs executions, $edges edges covered, exit status $status, $upstream upstream finding(s) kept in Fuzz/.work/$target/upstream"
  return "$status"
}

# Writes the seed corpora into Fuzz/Corpus/ (not committed: most seeds are made from the shared
# data — Oxford photos, its MAT files, reference tensors — which never goes into the repository).
write_seeds() {
  local shared
  shared="$(cd "$1" && pwd)"
  nice -n 15 swift build --package-path "$fuzz" --scratch-path "$root/.build-fuzz-seeds" -c debug --product make-seeds >&2
  "$root/.build-fuzz-seeds/debug/make-seeds" "$shared" "$fuzz/Corpus"
  # tar seeds from the system's tar, in its three formats, around two tiny files.
  local tmp format long
  tmp="$(mktemp -d)"
  long="$(printf 'n%.0s' {1..110})"
  mkdir -p "$tmp/src/jpg" "$tmp/src/$long"
  printf 'a' >"$tmp/src/jpg/a.jpg"; printf 'bc' >"$tmp/src/$long/b.jpg"
  mkdir -p "$fuzz/Corpus/tar" "$fuzz/Corpus/gzip"
  for format in gnu pax; do
    tar -cf "$fuzz/Corpus/tar/$format.tar" --format=$format --owner=0 --group=0 --mtime=@0 -C "$tmp/src" .
    gzip -9n <"$fuzz/Corpus/tar/$format.tar" >"$fuzz/Corpus/gzip/$format.tar.gz"
  done
  tar -cf "$fuzz/Corpus/tar/ustar.tar" --format=ustar --owner=0 --group=0 --mtime=@0 -C "$tmp/src" jpg
  # Two gzip members one after the other, as `cat a.gz b.gz` makes.
  cat "$fuzz/Corpus/gzip/gnu.tar.gz" "$fuzz/Corpus/gzip/gnu.tar.gz" >"$fuzz/Corpus/gzip/two-members.tar.gz"
  rm -rf "$tmp"
}

# Whether TARGET's seeds are committed (Fuzz/Seeds/TARGET: small files written by hand, for the
# readers of the project's own YAML and JSON files) rather than written from the shared data.
has_committed_seeds() { [[ -d "$fuzz/Seeds/$1" ]]; }

# The seed corpora, written from the shared data folder ($FMF_SHARED_DIR, else ../shared beside
# the repository) when any of the selected targets that need them has none yet.
ensure_seeds() {
  local t missing=0 shared="${FMF_SHARED_DIR:-$root/../shared}"
  for t in "$@"; do has_committed_seeds "$t" || [[ -d "$fuzz/Corpus/$t" ]] || missing=1; done
  (( missing )) || return 0
  if [[ ! -d "$shared/data/oxford102" ]]; then
    echo "fuzz.sh: no seed corpus in Fuzz/Corpus and no shared data at $shared: set FMF_SHARED_DIR or run Scripts/fuzz.sh seeds DIR" >&2
    exit 2
  fi
  echo "== writing the seed corpora from $shared" >&2
  write_seeds "$shared"
}

[[ $# -ge 1 ]] || usage
case "$1" in
  list) printf '%s\n' "${targets[@]}" ;;
  build)
    if [[ $# -ge 2 ]]; then is_target "$2" || usage; build "$2"; else build "${targets[@]}"; fi ;;
  seeds)
    [[ $# -eq 2 ]] || usage
    write_seeds "$2"
    ;;
  *)
    [[ $# -eq 2 && "$2" =~ ^[0-9]+$ ]] || usage
    if [[ "$1" == all ]]; then selected=("${targets[@]}"); else is_target "$1" || usage; selected=("$1"); fi
    ensure_seeds "${selected[@]}"
    build "${selected[@]}"
    failed=0
    for t in "${selected[@]}"; do run "$t" "$2" || failed=1; done
    exit "$failed"
    ;;
esac
