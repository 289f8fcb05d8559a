#!/usr/bin/env bash
# Fuzzes every decoder with libFuzzer: Scripts/fuzz.sh [seconds-per-target] [target...]
#
# Targets (Fuzz/<Name>Fuzz.swift): message (Message.read, every message decoder), frame
# (FramedConnection's frame reader over a socket pair), value (ValueDecoder into representative
# types, and ObjectPayload), token (the service's side of the cluster token's handshake on
# arbitrary bytes). Default: all four, 60 seconds each.
#
# Builds each target with swiftc straight from the sources (RayCore and RayTransport as
# modules, CRaySupport with clang, libcrypto from the system; not through SwiftPM), with
# -sanitize=fuzzer,address, into $RAY_FUZZ_DIR (default .build/fuzz). The corpus of each target
# grows in $RAY_FUZZ_DIR/corpus across runs; seeds made from valid messages and values by the
# current encoders are written afresh each run. A crash, a memory error or leak (AddressSanitizer), a hang (no input may take
# over 30 s) or an allocation over 512 MB is saved under $RAY_FUZZ_DIR/artifacts and fails the
# script; a run that is merely slow does not (each target runs for a time, not a count).
# Replay one: $RAY_FUZZ_DIR/bin/fuzz-<target> <artifact>.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swiftc >/dev/null && [ -x /opt/swift/usr/bin/swiftc ]; then export PATH=/opt/swift/usr/bin:$PATH; fi

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(message frame value token)

out=${RAY_FUZZ_DIR:-$PWD/.build/fuzz}
mkdir -p "$out/obj" "$out/modules/CRaySupport" "$out/bin" "$out/artifacts"
# A Swift crash otherwise starts swift-backtrace, which can hold the output open for minutes.
export SWIFT_BACKTRACE=enable=no

# The C target is compiled by the clang next to swiftc, whose sanitizer runtimes swiftc links.
clang=$(dirname "$(command -v swiftc)")/clang
[ -x "$clang" ] || clang=clang
sanitize=(-sanitize=fuzzer,address)
swift_flags=(-O -g -parse-as-library -swift-version 6 "${sanitize[@]}" -I "$out/modules")
# ld.gold warns about every ASan helper it cannot export; the warnings are noise.
link_filter='Cannot export local symbol'

echo "== building fuzz targets in $out"
swiftc "${swift_flags[@]}" -wmo -module-name RayCore -emit-module -emit-module-path "$out/modules/RayCore.swiftmodule" \
    -c $(find Sources/RayCore -name '*.swift' | sort) -o "$out/obj/RayCore.o"

needs_transport=false
for t in "${targets[@]}"; do [ "$t" = frame ] || [ "$t" = token ] && needs_transport=true; done
transport_objects=()
if $needs_transport; then
    "$clang" -O1 -g -fsanitize=address,fuzzer-no-link -ISources/CRaySupport/include -c Sources/CRaySupport/CRaySupport.c \
        -o "$out/obj/CRaySupport.o"
    "$clang" -O1 -g -fsanitize=address,fuzzer-no-link -ISources/CRaySupport/include -c Sources/CRaySupport/HMAC.c \
        -o "$out/obj/HMAC.o"
    "$clang" -O1 -g -fsanitize=address,fuzzer-no-link -ISources/CRaySupport/include -c Sources/CRaySupport/SHA256.c \
        -o "$out/obj/SHA256.o"
    cat > "$out/modules/CRaySupport/module.modulemap" <<EOF
module CRaySupport {
    header "$PWD/Sources/CRaySupport/include/CRaySupport.h"
    export *
}
EOF
    # RayTransport logs through swift-log, whose sources come with the package's dependencies.
    [ -d .build/checkouts/swift-log/Sources/Logging ] || swift package resolve >/dev/null
    swiftc "${swift_flags[@]}" -wmo -module-name Logging -package-name swift_log -swift-version 5 -emit-module -emit-module-path "$out/modules/Logging.swiftmodule" \
        -c $(find .build/checkouts/swift-log/Sources/Logging -name '*.swift' | sort) -o "$out/obj/Logging.o"
    swiftc "${swift_flags[@]}" -wmo -module-name RayTransport -I "$out/modules/CRaySupport" \
        -emit-module -emit-module-path "$out/modules/RayTransport.swiftmodule" \
        -c $(find Sources/RayTransport -name '*.swift' | sort) -o "$out/obj/RayTransport.o"
    transport_objects=("$out/obj/RayTransport.o" "$out/obj/Logging.o" "$out/obj/CRaySupport.o" "$out/obj/HMAC.o" "$out/obj/SHA256.o" -lcrypto)
fi

for t in "${targets[@]}"; do
    case $t in
        message) harness=Fuzz/MessageFuzz.swift; objects=("$out/obj/RayCore.o") ;;
        frame) harness=Fuzz/FrameFuzz.swift; objects=("$out/obj/RayCore.o" "${transport_objects[@]}") ;;
        value) harness=Fuzz/ValueFuzz.swift; objects=("$out/obj/RayCore.o") ;;
        token) harness=Fuzz/TokenHandshakeFuzz.swift; objects=("$out/obj/RayCore.o" "${transport_objects[@]}") ;;
        *) echo "unknown fuzz target $t (message, frame, value, token)" >&2; exit 2 ;;
    esac
    swiftc "${swift_flags[@]}" -I "$out/modules/CRaySupport" -module-name "Fuzz_$t" "$harness" Fuzz/FuzzSeeds.swift \
        "${objects[@]}" -o "$out/bin/fuzz-$t" 2> >(grep -v "$link_filter" >&2)
done

status=0
summary=()
for t in "${targets[@]}"; do
    seeds="$out/seeds/$t"
    corpus="$out/corpus/$t"
    rm -rf "$seeds"
    mkdir -p "$seeds" "$corpus"
    RAY_FUZZ_SEEDS="$seeds" "$out/bin/fuzz-$t"
    max_len=4096
    [ "$t" = frame ] && max_len=131072
    echo "== fuzzing $t for ${seconds}s"
    log="$out/fuzz-$t.log"
    set +e
    "$out/bin/fuzz-$t" "$corpus" "$seeds" -max_total_time="$seconds" -max_len=$max_len -timeout=30 \
        -rss_limit_mb=2048 -malloc_limit_mb=512 -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" >"$log" 2>&1
    code=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ $code -ne 0 ]; then
        status=1
        tail -40 "$log"
        summary+=("$t: FAILED (exit $code) after ${runs:-?} executions; log $log, artifacts in $out/artifacts")
    else
        summary+=("$t: ${runs:-?} executions in ${seconds}s, no crash (corpus: $(ls "$corpus" | wc -l) inputs)")
    fi
done
echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
exit $status
