#!/usr/bin/env python3
# Builds attnlab's English corpus from Debian packages (never committed: the packages are the
# source): the World English Bible, Jane Austen's six novels, the fortunes and WordNet's glosses,
# with markup stripped, as one training file and a fixed held-out file. Standard library only;
# deterministic (same packages, same bytes: it prints each file's SHA-256 and word count).
#
#   python3 assets/corpus/build_corpus.py [OUT_DIR]     (default: assets/corpus/english beside it)
#
# Exit 2 names a missing package and how to install it; nothing is written half (each file is
# written to a temporary name and renamed).
import hashlib
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Every 50th document (a Bible chapter, a novel's paragraph, a fortune, a WordNet synset) is
# held out: about 2% of each source, from all of them, and the same ones on every build.
HELD_OUT_EVERY = 50

FORTUNES_DIR = "/usr/share/games/fortunes"
# Pictures drawn in characters, not sentences.
FORTUNES_SKIPPED = {"art", "ascii-art"}
WORDNET_DIR = "/usr/share/wordnet"
SWORD_MODULE = "engWEB2015eb"


class Missing(Exception):
    def __init__(self, package, what):
        super().__init__(f"{what} is missing: install the Debian package {package} "
                         f"(sudo apt-get install {package}, or bash bootstrap.sh corpus)")


def need_file(path, package):
    if not os.path.isfile(path):
        raise Missing(package, path)


def need_program(name, package):
    if shutil.which(name) is None:
        raise Missing(package, f"the program {name}")


def clean(text):
    """One space between words; no control characters."""
    text = text.replace("\u00a0", " ")
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def bible():
    """The World English Bible (public domain), one document per chapter, verse references gone."""
    need_program("diatheke", "diatheke")
    need_file(f"/usr/share/sword/mods.d/{SWORD_MODULE}.conf", "sword-text-web")
    out = subprocess.run(["diatheke", "-b", SWORD_MODULE, "-f", "plain", "-k", "Gen-Rev"],
                         check=True, capture_output=True, env={"LC_ALL": "C.UTF-8", "PATH": os.environ["PATH"]})
    docs, chapter, verses = [], None, []
    verse = re.compile(r"^(.+?) (\d+):(\d+): ?(.*)$")
    for line in out.stdout.decode("utf-8", "replace").split("\n"):
        m = verse.match(line)
        if not m:
            continue  # the module's name line and the glossary after Revelation
        key = (m.group(1), m.group(2))
        if key != chapter and verses:
            docs.append(clean(" ".join(verses)))
            verses = []
        chapter = key
        if m.group(4).strip():
            verses.append(m.group(4))
    if verses:
        docs.append(clean(" ".join(verses)))
    return [d for d in docs if d]


def austen():
    """Jane Austen's six novels (public domain; janeaustenr, MIT), one document per paragraph,
    _italics_ markers gone."""
    need_program("Rscript", "r-base-core")
    script = 'library(janeaustenr); b <- austen_books(); writeLines(ifelse(b$text == "", "\\x01", b$text))'
    out = subprocess.run(["Rscript", "--vanilla", "-e", script], capture_output=True,
                         env={"LC_ALL": "C.UTF-8", "PATH": os.environ["PATH"]})
    if out.returncode != 0:
        raise Missing("r-cran-janeaustenr", "the R package janeaustenr")
    docs, para = [], []
    for line in out.stdout.decode("utf-8", "replace").split("\n") + ["\x01"]:
        if line == "\x01":
            if para:
                docs.append(clean(" ".join(para).replace("_", "")))
            para = []
        else:
            para.append(line)
    return [d for d in docs if d]


def fortunes():
    """The fortunes (BSD; quotations of many authors), one document per fortune."""
    need_file(os.path.join(FORTUNES_DIR, "fortunes"), "fortunes")
    docs = []
    for name in sorted(os.listdir(FORTUNES_DIR)):
        path = os.path.join(FORTUNES_DIR, name)
        if "." in name or name in FORTUNES_SKIPPED or not os.path.isfile(path):
            continue  # .dat indexes, .u8 links and pictures
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        for entry in re.split(r"\n%\n", text):
            # A fortune keeps its line breaks (poems, dialogues); tabs and runs of spaces go.
            lines = [clean(line) for line in entry.split("\n")]
            doc = "\n".join(line for line in lines if line)
            if doc and doc != "%":
                docs.append(doc)
    return docs


def wordnet():
    """WordNet 3.0's glosses (WordNet licence): "dog, domestic dog: a member of the genus Canis
    ...; "the dog barked all night"", one document per synset."""
    docs = []
    for part in ("noun", "verb", "adj", "adv"):
        path = os.path.join(WORDNET_DIR, "data." + part)
        need_file(path, "wordnet-base")
        with open(path, "rb") as f:
            for raw in f:
                line = raw.decode("utf-8", "replace")
                if line.startswith("  ") or "|" not in line:
                    continue  # the licence header
                fields = line.split(" ")
                count = int(fields[3], 16)
                words = [fields[4 + 2 * i].replace("_", " ") for i in range(count)]
                words = [re.sub(r"\([a-z]+\)$", "", w) for w in words]  # adjective markers: (a), (p)
                gloss = clean(line.split("|", 1)[1])
                docs.append(f"{', '.join(words)}: {gloss}")
    return docs


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "english")
    try:
        sources = [("World English Bible", bible()), ("Jane Austen", austen()), ("fortunes", fortunes()),
                   ("WordNet glosses", wordnet())]
    except Missing as e:
        print(f"build_corpus: {e}", file=sys.stderr)
        return 2
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"build_corpus: {e}", file=sys.stderr)
        return 1
    train, held = [], []
    for name, docs in sources:
        words = sum(len(d.split()) for d in docs)
        print(f"{name}: {len(docs)} documents, {words} words")
        for i, doc in enumerate(docs):
            (held if i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1 else train).append(doc)
    os.makedirs(out_dir, exist_ok=True)
    # Documents are separated by a blank line; the files end with a newline.
    for name, docs in (("english-train.txt", train), ("english-heldout.txt", held)):
        data = ("\n\n".join(docs) + "\n").encode("utf-8")
        path = os.path.join(out_dir, name)
        write_atomic(path, data)
        words = sum(len(d.split()) for d in docs)
        print(f"{path}: {words} words, {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
