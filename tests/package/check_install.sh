#!/usr/bin/env bash
# One check of what `cmake --install` produces (tests/package/CMakeLists.txt runs each as a test):
#   check_install.sh CHECK BUILD_DIR PREFIX [APP_ID | -]
# install: a fresh `cmake --install BUILD_DIR --prefix PREFIX`; files: exactly the expected files,
# data equal to the source tree's; man, desktop, metainfo, icons: each against its format or
# validator; lessons: the installed attnlab, run from outside both trees, reads the installed data.
# Prints what it checked; exits non-zero with the reason on the first failure.
set -euo pipefail
check=$1 build=$2 prefix=$3 app_id=${4:--}
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "check_install $check: $*" >&2; exit 1; }

# "W H" of a PNG file; fails unless it starts with the PNG signature and an IHDR chunk and ends
# with IEND (a truncated or mislabelled file).
png_size() {
  [ "$(od -An -tx1 -N16 "$1" | tr -d ' \n')" = 89504e470d0a1a0a0000000d49484452 ] || return 1
  [ "$(tail -c 12 "$1" | od -An -tx1 | tr -d ' \n')" = 0000000049454e44ae426082 ] || return 1
  od -An -tu4 --endian=big -j16 -N8 "$1" | awk '{print $1, $2}'
}

expected_files() {
  echo bin/attnlab
  for f in "$source_dir"/assets/models/*.npz "$source_dir"/assets/models/README.md; do
    echo "share/attnlab/models/$(basename "$f")"
  done
  for f in "$source_dir"/assets/lessons/*.json; do echo "share/attnlab/lessons/$(basename "$f")"; done
  for f in vocab.json merges.txt README.md; do echo "share/attnlab/tokenizers/gpt2/$f"; done
  # The English corpus's script always, the corpus when it was built before installing.
  echo share/attnlab/corpus/build_corpus.py
  for f in "$source_dir"/assets/corpus/english/english-*.txt; do
    [ -e "$f" ] && echo "share/attnlab/corpus/english/$(basename "$f")"
  done
  echo share/man/man1/attnlab.1.gz
  if [ "$app_id" != - ]; then
    echo "share/applications/$app_id.desktop"
    echo "share/metainfo/$app_id.metainfo.xml"
    echo "share/icons/hicolor/scalable/apps/$app_id.svg"
    for s in 16 32 48 64 128 256; do echo "share/icons/hicolor/${s}x$s/apps/$app_id.png"; done
  fi
}

case "$check" in
  install)
    case "$prefix" in "$build"/*) ;; *) fail "refusing to replace $prefix: it is outside the build tree" ;; esac
    rm -rf "$prefix"
    cmake --install "$build" --prefix "$prefix" >/dev/null
    echo "installed into $prefix: $(find "$prefix" -type f | wc -l) files"
    ;;

  files)
    actual=$(cd "$prefix" && find . -type f -o -type l | sed 's|^\./||' | LC_ALL=C sort)
    expected=$(expected_files | LC_ALL=C sort)
    [ "$actual" = "$expected" ] || fail "installed files differ from the expected list:
$(diff <(echo "$expected") <(echo "$actual") || true)"
    [ -x "$prefix/bin/attnlab" ] || fail "bin/attnlab is not executable"
    for f in "$source_dir"/assets/models/*.npz "$source_dir"/assets/lessons/*.json; do
      sub=$(basename "$(dirname "$f")")
      cmp -s "$f" "$prefix/share/attnlab/$sub/$(basename "$f")" || fail "installed $sub/$(basename "$f") differs from the source"
    done
    for f in vocab.json merges.txt; do
      cmp -s "$source_dir/assets/tokenizers/gpt2/$f" "$prefix/share/attnlab/tokenizers/gpt2/$f" ||
        fail "installed tokenizers/gpt2/$f differs from the source"
    done
    for f in "$source_dir"/assets/corpus/english/english-*.txt; do
      [ -e "$f" ] || continue
      cmp -s "$f" "$prefix/share/attnlab/corpus/english/$(basename "$f")" ||
        fail "installed corpus/english/$(basename "$f") differs from the source"
    done
    [ -x "$prefix/share/attnlab/corpus/build_corpus.py" ] || fail "corpus/build_corpus.py is not executable"
    echo "$(echo "$actual" | wc -l) files, exactly the expected ones; data equal to the source tree's"
    ;;

  man)
    page=$prefix/share/man/man1/attnlab.1.gz
    gzip -t "$page" || fail "attnlab.1.gz is not a valid gzip file"
    text=$(gzip -dc "$page" | sed 's/\\-/-/g')  # help2man writes - as \-
    version=$("$prefix/bin/attnlab" --version)
    grep -q '^\.TH ATTNLAB "1"' <<<"$text" || fail "no .TH ATTNLAB \"1\" header"
    grep -qF "$version" <<<"$text" || fail "the page does not carry the binary's version ($version)"
    grep -qF 'attnlab - see multi-head attention, step by step' <<<"$text" || fail "NAME line missing"
    for section in NAME SYNOPSIS DESCRIPTION ENVIRONMENT FILES; do
      grep -q "^\.SH $section" <<<"$text" || fail "section $section missing"
    done
    # Every sub-command and the data variable, as --help lists them.
    for word in dump export bench train bench-train ATTNLAB_DATA_DIR --lesson; do
      grep -qF -- "$word" <<<"$text" || fail "'$word' missing from the page"
    done
    echo "man page: $(wc -l <<<"$text") lines, header, five sections, every command"
    ;;

  desktop)
    entry=$prefix/share/applications/$app_id.desktop
    out=$(desktop-file-validate "$entry" 2>&1) || fail "desktop-file-validate failed: $out"
    [ -z "$out" ] || fail "desktop-file-validate has remarks (hints count too): $out"
    grep -qx "Icon=$app_id" "$entry" || fail "Icon= is not $app_id"
    exec_name=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$entry")
    [ -x "$prefix/bin/$exec_name" ] || fail "Exec=$exec_name is not an installed binary"
    echo "desktop entry valid, no remarks; Exec and Icon name installed files"
    ;;

  metainfo)
    file=$prefix/share/metainfo/$app_id.metainfo.xml
    out=$(appstreamcli validate --no-net "$file" 2>&1) || fail "appstreamcli validate failed: $out"
    ! grep -qE '^[EWI]: ' <<<"$out" || fail "appstreamcli has errors, warnings or infos: $out"
    grep -qF "<launchable type=\"desktop-id\">$app_id.desktop</launchable>" "$file" || fail "launchable is not $app_id.desktop"
    [ -f "$prefix/share/applications/$app_id.desktop" ] || fail "the launchable desktop entry is not installed"
    echo "metainfo valid (appstreamcli validate --no-net: no errors, warnings or infos)"
    ;;

  icons)
    cmp -s "$source_dir/assets/desktop/attnlab.svg" "$prefix/share/icons/hicolor/scalable/apps/$app_id.svg" ||
      fail "the scalable icon is not assets/desktop/attnlab.svg"
    for s in 16 32 48 64 128 256; do
      png=$prefix/share/icons/hicolor/${s}x$s/apps/$app_id.png
      size=$(png_size "$png") || fail "${s}x$s: not a whole PNG file"
      [ "$size" = "$s $s" ] || fail "${s}x$s icon is $size"
    done
    echo "icons: SVG, and PNGs of 16, 32, 48, 64, 128 and 256 pixels square"
    ;;

  lessons)
    # From a folder outside the source and build trees, with no ATTNLAB_DATA_DIR.
    unset ATTNLAB_DATA_DIR
    work=$(mktemp -d /tmp/attnlab-install-test.XXXXXX)
    trap 'rm -rf "$work"' EXIT
    cd "$work"
    "$prefix/bin/attnlab" export --lesson induction --what model --out induction.png >/dev/null ||
      fail "the installed attnlab could not export the induction lesson"
    png_size induction.png >/dev/null || fail "induction.png is not a whole PNG file"

    # Proof that the installed copy is read, not the source tree that still exists: a copy of the
    # install tree with one lesson taken out. The relocated binary finds the others beside it,
    # and for the missing one names the file it looked for, in that copy.
    cp -a "$prefix" moved
    rm moved/share/attnlab/models/sort.npz
    "$work/moved/bin/attnlab" dump --lesson reverse --out reverse >/dev/null || fail "the moved install cannot read reverse"
    [ -f reverse/layer0/attn.npy ] || fail "dump --lesson reverse wrote no layer0/attn.npy"
    set +e
    out=$("$work/moved/bin/attnlab" export --lesson sort --out sort.png 2>&1)
    code=$?
    set -e
    [ "$code" = 1 ] || fail "a lesson missing from the install exited $code, not 1: $out"
    grep -qF "$work/moved/share/attnlab/models/sort.npz" <<<"$out" || fail "the message does not name the installed path: $out"

    # ATTNLAB_DATA_DIR still comes first for an installed binary.
    mkdir -p data/models
    set +e
    out=$(ATTNLAB_DATA_DIR="$work/data" "$prefix/bin/attnlab" export --lesson induction --out x.png 2>&1)
    code=$?
    set -e
    [ "$code" = 1 ] && grep -qF "$work/data/models/induction.npz" <<<"$out" ||
      fail "ATTNLAB_DATA_DIR was not read first (exit $code): $out"
    # GPT-2's tokenizer from the installed data folder.
    ids=$("$prefix/bin/attnlab" tokenizer encode --tokenizer gpt2 --text "Hello my name is" | head -1)
    [ "$ids" = "15496 616 1438 318" ] || fail "the installed GPT-2 tokenizer gave '$ids'"
    echo "installed attnlab reads its own share/attnlab (also when moved); ATTNLAB_DATA_DIR overrides; GPT-2's tokenizer"
    ;;

  *)
    echo "usage: check_install.sh install|files|man|desktop|metainfo|icons|lessons BUILD_DIR PREFIX [APP_ID|-]" >&2
    exit 2
    ;;
esac
