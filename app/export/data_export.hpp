// Matrices as data files: CSV with the tokens as headers, and .npy arrays.
#pragma once
#include <string>

#include "export/export.hpp"

namespace app {

// CSV (RFC 4180, UTF-8, no BOM), values with 9 significant digits (float32 round-trips):
//   Head: "query,<key tokens...>" then one row per query token.
//   Grid: "head,query,<key tokens...>" then one row per (head, query), heads numbered from 1.
//   Qkv:  "matrix,token,1..d_head" then rows for Q, K, V and output of the head.
std::string attention_csv(const attn::LayerView& layer_view, ExportKind kind, int head);

// NPY float32: Grid (heads, n, n); Head (n, n); Qkv (3, n, d_head) = q, k, v of the head.
std::string attention_npy(const attn::LayerView& layer_view, ExportKind kind, int head);

// One CSV field, quoted when it holds a comma, quote, line break or edge space.
std::string csv_field(const std::string& text);

}  // namespace app
