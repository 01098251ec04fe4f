# osum4j runtime settings: the ONE place that decides heap, off-heap, threads and BLAS kernels.
# Sourced by ./osum (launcher, kernelspec env, benchmarks). Every value can be overridden by setting the
# variable before running ./osum, e.g.  OSUM_HEAP=8g ./osum run
# Not a place for per-command options; those are sub-command flags.

_osum_mem_kib() { awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null || echo 8388608; }

# JVM heap (-Xmx). Default: a quarter of physical memory, at least 2 GiB, at most 16 GiB.
if [ -z "${OSUM_HEAP:-}" ]; then
  _kib=$(_osum_mem_kib)
  _gib=$(( _kib / 1024 / 1024 / 4 ))
  [ "$_gib" -lt 2 ] && _gib=2
  [ "$_gib" -gt 16 ] && _gib=16
  OSUM_HEAP="${_gib}g"
fi
# ND4J off-heap limit (-Dorg.bytedeco.javacpp.maxbytes): tensors live off-heap. Default: half of memory.
if [ -z "${OSUM_OFFHEAP:-}" ]; then
  _kib=$(_osum_mem_kib)
  _gib=$(( _kib / 1024 / 1024 / 2 ))
  [ "$_gib" -lt 2 ] && _gib=2
  OSUM_OFFHEAP="${_gib}G"
fi
# Compute threads (ND4J/OpenMP/OpenBLAS). Default: all cores.
OSUM_THREADS="${OSUM_THREADS:-$(nproc 2>/dev/null || echo 2)}"

# OpenBLAS kernel choice: the OpenBLAS bundled with ND4J picks slower kernels on AVX-512 CPUs; the
# SKYLAKEX kernels measured 1.5-2x faster GEMM (shared/stack.md). Only when the CPU reports avx512f.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -q -m1 -w avx512f /proc/cpuinfo 2>/dev/null; then
  export OPENBLAS_CORETYPE=SKYLAKEX
fi

# Idle OpenMP workers must sleep, not spin: spinning workers steal the cores from OpenBLAS's own pool and
# made ND4J ops 10-50x slower on a loaded 2-core machine.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

# Native allocator: ND4J frees tensor buffers only after a GC, in bursts. With glibc's malloc (the default) and
# the library's timed collections (NativeMemory) the tiny training run holds a flat 2.2 GB resident set.
# OSUM_MALLOC=jemalloc preloads jemalloc (Debian package libjemalloc2), which hands freed pages back to the
# system: 1-2 GB on the same run, but about 10 % slower steps there (measured).
OSUM_MALLOC="${OSUM_MALLOC:-glibc}"
OSUM_JEMALLOC=""
if [ "$OSUM_MALLOC" = jemalloc ]; then
  for _lib in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/aarch64-linux-gnu/libjemalloc.so.2 /usr/lib64/libjemalloc.so.2; do
    if [ -r "$_lib" ]; then OSUM_JEMALLOC="$_lib"; break; fi
  done
fi
# Decay freed pages back to the system within a second, from jemalloc's own background thread.
OSUM_MALLOC_CONF="background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0"

# ND4J backend: auto (CUDA only in a -Pcuda build on a GPU its kernels support, sm_37..sm_86; else CPU), cpu or
# cuda. Decided in Java (org.osum4j.model.Backends); the launcher exports the variables that make ND4J load it.
OSUM_BACKEND="${OSUM_BACKEND:-auto}"

export OSUM_HEAP OSUM_OFFHEAP OSUM_THREADS OSUM_BACKEND
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$OSUM_THREADS}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-$OSUM_THREADS}"

# JVM options for every osum4j Java process.
OSUM_JVM_OPTS=(
  "-Xmx${OSUM_HEAP}"
  "-Dorg.bytedeco.javacpp.maxbytes=${OSUM_OFFHEAP}"
  "-Dorg.bytedeco.javacpp.maxphysicalbytes=0"
  "-Djava.awt.headless=true"
  "-Dosum.threads=${OSUM_THREADS}"
  "-Dosum.backend=${OSUM_BACKEND}"
  "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
  "-Dorg.slf4j.simpleLogger.log.org.nd4j=warn"
)

# Environment variables a kernelspec or benchmark process must carry (name=value lines).
osum_runtime_env() {
  printf 'OMP_NUM_THREADS=%s\n' "$OMP_NUM_THREADS"
  printf 'OPENBLAS_NUM_THREADS=%s\n' "$OPENBLAS_NUM_THREADS"
  [ -n "${OPENBLAS_CORETYPE:-}" ] && printf 'OPENBLAS_CORETYPE=%s\n' "$OPENBLAS_CORETYPE"
  printf 'OMP_WAIT_POLICY=%s\n' "$OMP_WAIT_POLICY"
  printf 'OSUM_THREADS=%s\n' "$OSUM_THREADS"
  if [ -n "$OSUM_JEMALLOC" ]; then
    printf 'LD_PRELOAD=%s\n' "$OSUM_JEMALLOC"
    printf 'MALLOC_CONF=%s\n' "$OSUM_MALLOC_CONF"
  fi
}

# Export the native allocator chosen above; call right before exec'ing a JVM.
osum_malloc_env() {
  if [ -n "$OSUM_JEMALLOC" ]; then
    export LD_PRELOAD="$OSUM_JEMALLOC${LD_PRELOAD:+:$LD_PRELOAD}" MALLOC_CONF="$OSUM_MALLOC_CONF"
  fi
}

# One log line, so every run records the settings it ran with.
osum_runtime_summary() {
  echo "osum4j runtime: heap ${OSUM_HEAP}, off-heap ${OSUM_OFFHEAP}, threads ${OSUM_THREADS}, OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-default}, malloc $([ -n "$OSUM_JEMALLOC" ] && echo jemalloc || echo glibc)"
}
