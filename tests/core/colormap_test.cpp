// Colormap tables and the index rounding the shader shares.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/colormap.hpp"
#include "core/themes.hpp"

TEST_CASE("viridis has its published endpoints", "[colormap]") {
  const auto& v = app::colormap_lut(app::Colormap::Viridis);
  CHECK(v[0] == app::Rgb8{68, 1, 84});       // #440154
  CHECK(v[255] == app::Rgb8{253, 231, 37});  // #FDE725
  CHECK(app::colormap_lut(app::Colormap::Magma)[0] == app::Rgb8{0, 0, 4});
  CHECK(app::colormap_lut(app::Colormap::Cividis)[0] == app::Rgb8{0, 34, 78});
}

TEST_CASE("index rounding matches int(clamp(t) * 255 + 0.5)", "[colormap]") {
  CHECK(app::colormap_index(0.0f) == 0);
  CHECK(app::colormap_index(1.0f) == 255);
  CHECK(app::colormap_index(-3.0f) == 0);
  CHECK(app::colormap_index(7.0f) == 255);
  CHECK(app::colormap_index(NAN) == 0);
  for (int i = 0; i <= 1000; ++i) {
    const float t = static_cast<float>(i) / 1000.0f;
    CHECK(app::colormap_index(t) == static_cast<int>(t * 255.0f + 0.5f));
  }
}

TEST_CASE("non-finite values get a color no map uses", "[colormap]") {
  CHECK(app::colormap_color(app::Colormap::Viridis, NAN) == app::kNonFiniteColor);
  CHECK(app::colormap_color(app::Colormap::Viridis, INFINITY) == app::kNonFiniteColor);
  for (auto m : {app::Colormap::Viridis, app::Colormap::Magma, app::Colormap::Cividis, app::Colormap::Grayscale,
                 app::Colormap::Diverging})
    for (const app::Rgb8& c : app::colormap_lut(m)) CHECK_FALSE(c == app::kNonFiniteColor);
}

TEST_CASE("sequential maps get lighter monotonically, the diverging map is white at 0", "[colormap]") {
  const auto luminance = [](app::Rgb8 c) { return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b; };
  for (auto m : {app::Colormap::Viridis, app::Colormap::Cividis, app::Colormap::Grayscale}) {
    const auto& lut = app::colormap_lut(m);
    for (std::size_t i = 8; i < 256; i += 8) CHECK(luminance(lut[i]) > luminance(lut[i - 8]));
  }
  const app::Rgb8 mid = app::colormap_color(app::Colormap::Diverging, 0.5f);
  CHECK(mid.r > 235);
  CHECK(mid.g > 235);
  CHECK(mid.b > 235);
  const app::Rgb8 low = app::colormap_color(app::Colormap::Diverging, 0.0f),
                  high = app::colormap_color(app::Colormap::Diverging, 1.0f);
  CHECK(low.b > low.r);    // negative is blue
  CHECK(high.r > high.b);  // positive is red
}

TEST_CASE("names round-trip", "[colormap]") {
  for (auto m : {app::Colormap::Viridis, app::Colormap::Magma, app::Colormap::Cividis, app::Colormap::Grayscale,
                 app::Colormap::Diverging})
    CHECK(app::parse_colormap(app::colormap_name(m)) == m);
  CHECK_FALSE(app::parse_colormap("jet"));
}

// Every enum value, listed by a switch with no default, so -Wswitch names a colormap added to the
// enum and not here; the test then fails until the table has its row too.
namespace {
const char* enum_spelling(app::Colormap m) {
  switch (m) {
    case app::Colormap::Viridis:
      return "viridis";
    case app::Colormap::Magma:
      return "magma";
    case app::Colormap::Cividis:
      return "cividis";
    case app::Colormap::Grayscale:
      return "grayscale";
    case app::Colormap::Diverging:
      return "diverging";
  }
  return "";
}
}  // namespace

TEST_CASE("the colormap table has one row per colormap and drives every list", "[colormap]") {
  const auto& table = app::colormap_table();
  for (std::size_t i = 0; i < table.size(); ++i) {
    INFO(table[i].name);
    CHECK(app::colormap_row(table[i].map) == i);  // the texture row
    CHECK(table[i].name == enum_spelling(table[i].map));
    CHECK(&app::colormap_lut(table[i].map) == table[i].lut);
    for (std::size_t j = 0; j < i; ++j) CHECK(table[j].map != table[i].map);
  }
  CHECK(table.size() == 5);
  // Only the sequential maps are offered for weights; the messages list them from the table.
  CHECK_FALSE(app::colormap_info(app::Colormap::Diverging).for_weights);
  CHECK(app::weight_colormap_names() == "viridis, magma, cividis or grayscale");
}

TEST_CASE("the theme table names each theme once and gives the figures their colors", "[colormap][theme]") {
  const auto& table = app::theme_table();
  CHECK(table.size() == 2);
  for (const app::ThemeInfo& t : table) {
    CHECK(app::parse_theme(t.name) == t.theme);
    CHECK(&app::theme_info(t.theme) == &t);
  }
  CHECK_FALSE(app::parse_theme("solarized"));
  CHECK(app::theme_info(app::Theme::Light).background == app::Rgb8{255, 255, 255});
  CHECK(app::theme_info(app::Theme::Dark).background.r < 64);
}
