# Shared shell helpers for tests/run.sh, deploy/cluster.sh and the suites.
# Source it; it defines functions only.

GREGOR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages needed to build Gregor and run its unit tests.
GREGOR_BUILD_PACKAGES=(
  bazel-bootstrap g++ clang libclang-rt-14-dev python3
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev librocksdb-dev
  libgoogle-glog-dev libgflags-dev libgtest-dev libgmock-dev libbenchmark-dev
  libabsl-dev zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev libssl-dev
  libasio-dev libcpp-httplib-dev libbrotli-dev nlohmann-json3-dev openjdk-17-jdk-headless
)

# Debian packages the cross-process suites install on demand when missing
# (tests/kafka: Java + Maven for Apache Kafka from Maven jars; tests/interop:
# the Java client, kcat, venvs for the Python clients, Node for kafkajs).
GREGOR_TEST_PACKAGES=(openjdk-17-jdk-headless maven kcat python3-venv nodejs npm)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ensure_packages pkg...: installs the Debian packages that are missing.
ensure_packages() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ -z "${GREGOR_APT_UPDATED:-}" ]; then
    $sudo apt-get update -qq || return 1
    export GREGOR_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || return 1
}

ensure_build_deps() { ensure_packages "${GREGOR_BUILD_PACKAGES[@]}"; }

# bazel_build targets...: builds with the project's settings.
bazel_build() {
  (cd "$GREGOR_ROOT" && bazel build "$@")
}

# Where `bazel build` puts binaries.
gregor_bin_dir() { echo "$GREGOR_ROOT/bazel-bin"; }
