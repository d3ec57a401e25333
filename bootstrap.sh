#!/usr/bin/env bash
# Attention Lab set-up on Debian 12: installs the missing packages, builds, then runs the app
# (`run`) or the whole test suite (`test`; `test-asan` for the ASan + UBSan build); `fuzz [SECONDS]`
# builds the libFuzzer targets with clang and runs each for SECONDS (default 60).
set -euo pipefail
cd "$(dirname "$0")"

packages=(
  build-essential cmake pkg-config            # toolchain
  libimgui-dev libglfw3-dev libgl-dev         # window, UI, OpenGL
  libgl1-mesa-dri                             # Mesa (llvmpipe) so the window runs without a GPU
  xtensor-dev libxtensor-blas-dev libopenblas-dev  # engine math
  libstb-dev nlohmann-json3-dev zlib1g-dev    # PNG and fonts, JSON, .npz inflate
  libgif-dev                                  # animated GIFs of a training run
  catch2                                      # tests
  fonts-dejavu-core fonts-droid-fallback fonts-symbola  # Latin/Greek/Cyrillic, CJK, emoji
  xvfb xauth librsvg2-bin                     # headless GUI tests, SVG rendering check
)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # Acquire::Retries: a mirror that drops one download is asked once more, not a failed set-up.
  $sudo apt-get -o Acquire::Retries=1 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o Acquire::Retries=1 install -y -qq \
    --no-install-recommends "${missing[@]}"
}

build() {  # $1 = preset
  cmake --preset "$1" >/dev/null
  cmake --build --preset "$1"
}

mode="${1:-run}"
[ $# -gt 0 ] && shift
# In CI, warnings are errors.
release_preset=release
[ "${CI:-}" = "true" ] && release_preset=ci

case "$mode" in
  run)
    install_missing
    build "$release_preset"
    exec "build/$release_preset/attnlab" "$@"
    ;;
  test)
    install_missing
    build "$release_preset"
    ctest --preset "$release_preset" -j2 "$@"
    ;;
  test-asan)
    install_missing
    build asan
    ctest --preset asan -j2 "$@"
    ;;
  fuzz)
    # clang and its runtimes (libFuzzer, ASan, UBSan) only for fuzzing: the app builds with GCC.
    packages+=(clang-14 libclang-rt-14-dev)
    install_missing
    build fuzz
    exec bash tests/fuzz/run_all.sh "$@"
    ;;
  *)
    echo "usage: bash bootstrap.sh [run [attnlab flags] | test [ctest flags] | test-asan | fuzz [SECONDS [TARGET...]]]" >&2
    exit 2
    ;;
esac
