# `cpack` builds a Debian package (.deb) of what cmake/install.cmake installs, for Debian 12.
# Depends: the shared libraries the binary links, found by dpkg-shlibdeps (dpkg-dev), plus the
# fonts attnlab draws text with, which no library dependency pulls in.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME attnlab)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${ATTN_SUMMARY}")
# Lines under 80 columns (lintian: extended-description-line-too-long).
set(CPACK_PACKAGE_DESCRIPTION
    "Attention Lab teaches multi-head attention by letting you see it: type a
sentence and every step (embeddings, Q/K/V projections per head, scores,
mask, softmax, weighted values) is drawn as you type. In Train mode a tiny
transformer learns a task while you watch its heads form. Figures export as
PNG or SVG, numbers as CSV or NumPy files; attnlab export and dump need no
display.")
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # Debian ships stripped binaries; the build tree keeps its symbols

set(ATTN_PACKAGE_MAINTAINER "Attention Lab maintainers <maintainers@users.noreply.b-seed-baa14292.example>"
    CACHE STRING "Maintainer field of the .deb")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${ATTN_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # attnlab_<version>-1_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION education)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The fonts of bootstrap.sh's list: Latin/Greek/Cyrillic/Arabic/Hebrew, CJK, outline emoji and
# symbols (the window), Devanagari; color emoji in figures are recommended, not required (without
# them emoji draw in outline from Symbola).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "fonts-dejavu-core, fonts-droid-fallback, fonts-symbola, fonts-lohit-deva")
# The English corpus (share/attnlab/corpus/build_corpus.py, `--task text` without --corpus) is
# built from these packages: recommended, since every other part of attnlab works without it.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "fonts-noto-color-emoji, python3, sword-text-web, diatheke, r-cran-janeaustenr, fortunes, wordnet-base")
include(CPack)
