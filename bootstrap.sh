#!/usr/bin/env bash
# Attention Lab set-up on Debian 12: installs the missing packages, builds, then runs the app
# (`run`) or the whole test suite (`test`; `test-asan` for the ASan + UBSan build; `test-tsan`
# for the threaded tests under ThreadSanitizer), makes the
# Debian package (`package`: prints the .deb's path on the last line), or builds the libFuzzer
# targets with clang and runs each for SECONDS (`fuzz [SECONDS]`, default 60), or builds the English
# corpus alone (`corpus [OUT_DIR]`; run, test and package build it too).
set -euo pipefail
cd "$(dirname "$0")"

packages=(
  build-essential cmake pkg-config            # toolchain
  libimgui-dev libglfw3-dev libgl-dev         # window, UI, OpenGL
  libgl1-mesa-dri                             # Mesa (llvmpipe) so the window runs without a GPU
  xtensor-dev libxtensor-blas-dev libopenblas-dev  # engine math
  nlohmann-json3-dev zlib1g-dev               # JSON, .npz inflate
  libcairo2-dev libpango1.0-dev libpng-dev    # figures: PNG/SVG/PDF drawing, shaped text, PNG encoding
  libgif-dev                                  # animated GIFs of a training run
  catch2 libstb-dev                           # tests (stb_image decodes the PNGs they check)
  fonts-dejavu-core fonts-droid-fallback fonts-symbola  # Latin/Greek/Cyrillic/Arabic/Hebrew, CJK, outline emoji
  fonts-lohit-deva fonts-noto-color-emoji     # Devanagari, color emoji in figures
  xvfb xauth librsvg2-bin poppler-utils       # headless GUI tests, SVG/PDF rendering checks, PNG icons
  help2man                                    # the man page, made from attnlab --help at build time
  desktop-file-utils appstream                # tests validate the desktop entry and AppStream metainfo
)
# The English corpus (`corpus`, assets/corpus/build_corpus.py): the World English Bible and the
# program that prints it, Jane Austen's novels (an R package: Rscript reads its data), the
# fortunes and WordNet's glosses. Installed and built by `corpus`, `run`, `test` and `package`.
corpus_packages=(python3 sword-text-web diatheke r-cran-janeaustenr fortunes wordnet-base)
# Only `package` needs these: CPack's Debian generator finds the binary with file(1) and its
# library Depends with dpkg-shlibdeps (dpkg-dev).
packaging=(file dpkg-dev)

install_missing() {  # $@ = packages
  local missing=()
  for p in "$@"; do
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

build_corpus() {  # once: the corpus is deterministic, so an existing one is kept
  install_missing "${corpus_packages[@]}"
  [ -s assets/corpus/english/english-train.txt ] && [ -s assets/corpus/english/english-heldout.txt ] && return 0
  python3 assets/corpus/build_corpus.py
}

build() {  # $1 = preset
  cmake --preset "$1" >/dev/null
  cmake --build --preset "$1"
}

# The tests ThreadSanitizer runs (test-tsan): every one that trains on the worker, runs an opened
# model on the model host's worker, or exports on a thread of its own, and the shared list the
# worker's snapshots hand to the window.
tsan_tests='worker|pausing|core:.*(model host|the host|head importance|head sweep|shared list)|gui:.*(first start|[Tt]rain|scrubb|knock|Ctrl\+E|F12|large figure|missing folder|quitting)'

mode="${1:-run}"
[ $# -gt 0 ] && shift
# In CI, warnings are errors.
release_preset=release
[ "${CI:-}" = "true" ] && release_preset=ci

case "$mode" in
  run)
    install_missing "${packages[@]}"
    build_corpus
    build "$release_preset"
    exec "build/$release_preset/attnlab" "$@"
    ;;
  test)
    install_missing "${packages[@]}"
    build_corpus
    build "$release_preset"
    ctest --preset "$release_preset" -j2 "$@"
    ;;
  test-asan)
    install_missing "${packages[@]}"
    build asan
    ctest --preset asan -j2 "$@"
    ;;
  test-tsan)
    # ThreadSanitizer on the tests whose threads matter: the training worker and the window's
    # background exports (GUI tests under Xvfb), and the train host's own tests.
    install_missing "${packages[@]}"
    build tsan
    ctest --preset tsan -j2 -R "$tsan_tests" "$@"
    ;;
  package)
    install_missing "${packages[@]}" "${packaging[@]}"
    build_corpus
    build "$release_preset"
    rm -f "build/$release_preset"/package/attnlab_*.deb
    (cd "build/$release_preset" && cpack -G DEB)
    ls "$PWD/build/$release_preset"/package/attnlab_*.deb
    ;;
  corpus)
    install_missing "${corpus_packages[@]}"
    exec python3 assets/corpus/build_corpus.py "$@"
    ;;
  fuzz)
    # clang and its runtimes (libFuzzer, ASan, UBSan) only for fuzzing: the app builds with GCC.
    install_missing "${packages[@]}" clang-14 libclang-rt-14-dev
    build fuzz
    exec bash tests/fuzz/run_all.sh "$@"
    ;;
  *)
    echo "usage: bash bootstrap.sh [run [attnlab flags] | test [ctest flags] | corpus [OUT_DIR] | test-asan | test-tsan | package | fuzz [SECONDS [TARGET...]]]" >&2
    exit 2
    ;;
esac
