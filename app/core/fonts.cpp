// fontconfig's own substitution rules choose each group's font, so a system with other fonts
// (WenQuanYi, Noto) works without a list of paths kept here.
#include "core/fonts.hpp"

#include <fontconfig/fontconfig.h>

namespace app {

namespace {

// The first font in fontconfig's order for `family` that has `sample`, is an outline font without
// color glyphs, and (given `lang`) says it covers that language — by code point alone, Symbola
// (which has a few CJK ideographs) would come before a real CJK font. Empty path: none.
FontFile match(const char* family, const char* lang, char32_t sample) {
  FcPattern* pattern = FcPatternCreate();
  FcPatternAddString(pattern, FC_FAMILY, reinterpret_cast<const FcChar8*>(family));
  if (lang) FcPatternAddString(pattern, FC_LANG, reinterpret_cast<const FcChar8*>(lang));
  FcConfigSubstitute(nullptr, pattern, FcMatchPattern);
  FcDefaultSubstitute(pattern);
  FcResult result = FcResultNoMatch;
  FcFontSet* sorted = FcFontSort(nullptr, pattern, FcFalse, nullptr, &result);
  FontFile font;
  for (int i = 0; sorted && i < sorted->nfont && font.path.empty(); ++i) {
    const FcPattern* candidate = sorted->fonts[i];
    FcChar8* file = nullptr;
    FcChar8* name = nullptr;
    FcCharSet* has = nullptr;
    FcLangSet* langs = nullptr;
    FcBool color = FcFalse, outline = FcTrue;
    int index = 0;
    if (FcPatternGetString(candidate, FC_FILE, 0, &file) != FcResultMatch ||
        FcPatternGetCharSet(candidate, FC_CHARSET, 0, &has) != FcResultMatch || !FcCharSetHasChar(has, sample))
      continue;
    if (FcPatternGetBool(candidate, FC_COLOR, 0, &color) == FcResultMatch && color) continue;
    if (FcPatternGetBool(candidate, FC_OUTLINE, 0, &outline) == FcResultMatch && !outline) continue;
    if (lang && (FcPatternGetLangSet(candidate, FC_LANG, 0, &langs) != FcResultMatch ||
                 FcLangSetHasLang(langs, reinterpret_cast<const FcChar8*>(lang)) == FcLangDifferentLang))
      continue;
    font.path = reinterpret_cast<const char*>(file);
    if (FcPatternGetInteger(candidate, FC_INDEX, 0, &index) == FcResultMatch) font.collection_index = index;
    if (FcPatternGetString(candidate, FC_FAMILY, 0, &name) == FcResultMatch)
      font.family = reinterpret_cast<const char*>(name);
  }
  if (sorted) FcFontSetDestroy(sorted);
  FcPatternDestroy(pattern);
  return font;
}

}  // namespace

std::vector<FontFile> font_chain() {
  std::vector<FontFile> chain;
  const struct {
    const char* family;
    const char* lang;
    char32_t sample;
  } groups[] = {
      {"DejaVu Sans", nullptr, U'Ж'}, {"sans-serif", "zh-cn", U'\u4E2D'}, {"Symbola", nullptr, U'\U0001F642'}};
  for (const auto& g : groups) {
    FontFile f = match(g.family, g.lang, g.sample);
    if (f.path.empty()) continue;
    bool again = false;  // one font may cover two groups; the atlas needs it once
    for (const FontFile& taken : chain) again |= taken.path == f.path && taken.collection_index == f.collection_index;
    if (!again) chain.push_back(std::move(f));
  }
  return chain;
}

}  // namespace app
