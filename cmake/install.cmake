# What `cmake --install` puts where: the binary, the data it reads at run time (lesson models,
# example sessions), the man page made from --help, and with the window the desktop entry,
# AppStream metainfo and icons. Included from the top-level CMakeLists.txt after the targets.
include(GNUInstallDirs)

# One name for the desktop entry, the metainfo, the icons and the AppStream component. AppStream
# wants a reverse-DNS id; the project has no domain of its own, so it uses the GitHub-style one.
set(ATTN_APP_ID "io.github.attnlab.AttentionLab" CACHE STRING "Desktop and AppStream id of attnlab")
set(ATTN_DATA_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/attnlab)
# The one-line summary: the man page's NAME line and the package's short description.
set(ATTN_SUMMARY "see multi-head attention, step by step")

# attnlab finds its installed data from its own folder (core/data_dir.cpp), so the install tree can
# move (cmake --install --prefix, DESTDIR, a .deb) without a path baked in.
file(RELATIVE_PATH ATTN_DATA_FROM_BIN "${CMAKE_INSTALL_FULL_BINDIR}" "${CMAKE_INSTALL_FULL_DATADIR}/attnlab")
target_compile_definitions(attn_core PRIVATE ATTN_DATA_FROM_BIN="${ATTN_DATA_FROM_BIN}")

install(TARGETS attnlab RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
file(GLOB ATTN_LESSON_MODELS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/assets/models/*.npz)
file(GLOB ATTN_LESSON_SESSIONS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/assets/lessons/*.json)
install(FILES ${ATTN_LESSON_MODELS} ${PROJECT_SOURCE_DIR}/assets/models/README.md
        DESTINATION ${ATTN_DATA_INSTALL_DIR}/models)
install(FILES ${ATTN_LESSON_SESSIONS} DESTINATION ${ATTN_DATA_INSTALL_DIR}/lessons)
# GPT-2's tokenizer (attnlab tokenizer --tokenizer gpt2 reads it from the data folder).
install(FILES ${PROJECT_SOURCE_DIR}/assets/tokenizers/gpt2/vocab.json ${PROJECT_SOURCE_DIR}/assets/tokenizers/gpt2/merges.txt
              ${PROJECT_SOURCE_DIR}/assets/tokenizers/gpt2/README.md
        DESTINATION ${ATTN_DATA_INSTALL_DIR}/tokenizers/gpt2)

# The English corpus: its script always; the corpus itself when it was built before installing
# (bash bootstrap.sh corpus), never committed. `train --task text` reads <data>/corpus/english.
install(PROGRAMS ${PROJECT_SOURCE_DIR}/assets/corpus/build_corpus.py DESTINATION ${ATTN_DATA_INSTALL_DIR}/corpus)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/assets/corpus/english DESTINATION ${ATTN_DATA_INSTALL_DIR}/corpus OPTIONAL
        FILES_MATCHING PATTERN "english-*.txt")

# ---- man page: help2man runs the built attnlab --help / --version, so it cannot go stale ------
# gzip -n leaves out the name and time stamp (Debian policy 12.1: man pages compressed, -9).
find_program(HELP2MAN help2man REQUIRED)
find_program(GZIP gzip REQUIRED)
set(ATTN_MAN_PAGE ${CMAKE_BINARY_DIR}/man/attnlab.1.gz)
add_custom_command(
  OUTPUT ${ATTN_MAN_PAGE}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
  COMMAND ${HELP2MAN} --no-info --section=1 "--name=${ATTN_SUMMARY}"
          --include=${PROJECT_SOURCE_DIR}/assets/man/attnlab.h2m
          --output=${CMAKE_BINARY_DIR}/man/attnlab.1 $<TARGET_FILE:attnlab>
  COMMAND ${GZIP} -9nf ${CMAKE_BINARY_DIR}/man/attnlab.1
  DEPENDS attnlab ${PROJECT_SOURCE_DIR}/assets/man/attnlab.h2m
  COMMENT "Man page attnlab.1 from attnlab --help (help2man)"
  VERBATIM)
add_custom_target(attnlab_man ALL DEPENDS ${ATTN_MAN_PAGE})
install(FILES ${ATTN_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# ---- desktop integration: only a build with the window has something to launch ----------------
if(ATTN_BUILD_APP)
  set(ATTN_DESKTOP_DIR ${PROJECT_SOURCE_DIR}/assets/desktop)
  configure_file(${ATTN_DESKTOP_DIR}/attnlab.desktop.in ${CMAKE_BINARY_DIR}/desktop/${ATTN_APP_ID}.desktop @ONLY)
  configure_file(${ATTN_DESKTOP_DIR}/attnlab.metainfo.xml.in
                 ${CMAKE_BINARY_DIR}/desktop/${ATTN_APP_ID}.metainfo.xml @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/desktop/${ATTN_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${CMAKE_BINARY_DIR}/desktop/${ATTN_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)

  # The PNG sizes are rendered from the one SVG at build time (librsvg's rsvg-convert), so a
  # change to the icon is one edit and no stale bitmap can be committed beside it.
  find_program(RSVG_CONVERT rsvg-convert REQUIRED)
  set(ATTN_ICON_SVG ${ATTN_DESKTOP_DIR}/attnlab.svg)
  install(FILES ${ATTN_ICON_SVG} DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
          RENAME ${ATTN_APP_ID}.svg)
  set(ATTN_ICON_PNGS)
  foreach(size 16 32 48 64 128 256)
    set(png ${CMAKE_BINARY_DIR}/icons/${size}x${size}/${ATTN_APP_ID}.png)
    add_custom_command(
      OUTPUT ${png}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/icons/${size}x${size}
      COMMAND ${RSVG_CONVERT} --width=${size} --height=${size} --output=${png} ${ATTN_ICON_SVG}
      DEPENDS ${ATTN_ICON_SVG}
      COMMENT "Icon ${size}x${size} from attnlab.svg"
      VERBATIM)
    list(APPEND ATTN_ICON_PNGS ${png})
    install(FILES ${png} DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
  endforeach()
  add_custom_target(attnlab_icons ALL DEPENDS ${ATTN_ICON_PNGS})
endif()
