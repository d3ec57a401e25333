// CSV and NPY writers for the same three selections the figures offer.
#include "export/data_export.hpp"

#include <cstdio>

#include "core/tensor_catalog.hpp"
#include "engine/npy.hpp"
#include "engine/text/token_text.hpp"

namespace app {

namespace {

std::string value(float v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.9g", static_cast<double>(v));
  return b;
}

void row(std::string& out, const std::vector<std::string>& lead, const float* values, std::size_t count) {
  for (std::size_t i = 0; i < lead.size(); ++i) out += (i ? "," : "") + csv_field(lead[i]);
  for (std::size_t i = 0; i < count; ++i) out += "," + value(values[i]);
  out += "\r\n";
}

// The Q/K/V selection's parts, keyed by the catalog row each is read from, with its CSV name.
struct HeadPart {
  const char* name;
  TensorId id;
};
constexpr HeadPart kHeadParts[] = {
    {"Q", TensorId::Q}, {"K", TensorId::K}, {"V", TensorId::V}, {"output", TensorId::HeadOut}};

}  // namespace

std::string csv_field(const std::string& text) {
  const bool quote = text.find_first_of(",\"\r\n") != std::string::npos ||
                     (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string attention_csv(const attn::LayerView& t, ExportKind kind, int head) {
  const std::size_t n = t.n_tokens();
  const auto& tokens = t.tokens();
  std::string out;
  if (kind == ExportKind::Qkv) {
    const std::size_t d = static_cast<std::size_t>(t.config.resolved_d_head());
    out += "matrix,token";
    for (std::size_t i = 0; i < d; ++i) out += "," + std::to_string(i + 1);
    out += "\r\n";
    for (const HeadPart& part : kHeadParts) {
      if (!offers(part.id, kTensorCsv)) continue;
      const std::vector<float> rows = read_head(part.id, t, head);
      for (std::size_t r = 0; r < n; ++r)
        row(out, {part.name, attn::token_text(tokens[r].text)}, rows.data() + r * d, d);
    }
    return out;
  }
  const bool grid = kind == ExportKind::Grid;
  out += grid ? "head,query" : "query";
  for (const attn::Token& k : tokens) out += "," + csv_field(attn::token_text(k.text));
  out += "\r\n";
  const int first = grid ? 0 : head, last = grid ? t.config.n_heads : head + 1;
  for (int h = first; h < last; ++h)
    for (std::size_t r = 0; r < n; ++r) {
      std::vector<std::string> lead;
      if (grid) lead.push_back(std::to_string(h + 1));
      lead.push_back(attn::token_text(tokens[r].text));
      row(out, lead, t.attn(static_cast<std::size_t>(h)) + r * n, n);
    }
  return out;
}

std::string attention_npy(const attn::LayerView& t, ExportKind kind, int head) {
  const std::size_t n = t.n_tokens(), hh = static_cast<std::size_t>(head);
  if (kind == ExportKind::Grid) {
    const TensorData weights = read_tensor(TensorId::Attn, t);
    return attn::npy_encode(weights.values.data(), weights.shape);
  }
  if (kind == ExportKind::Head) return attn::npy_encode(t.attn(hh), {n, n});
  // q, k and v stacked: the head output, a different kind of matrix, is the CSV's alone.
  const std::size_t d = static_cast<std::size_t>(t.config.resolved_d_head());
  std::vector<float> stacked;
  stacked.reserve(3 * n * d);
  for (const TensorId id : {TensorId::Q, TensorId::K, TensorId::V}) {
    const std::vector<float> rows = read_head(id, t, head);
    stacked.insert(stacked.end(), rows.begin(), rows.end());
  }
  return attn::npy_encode(stacked.data(), {3, n, d});
}

}  // namespace app
