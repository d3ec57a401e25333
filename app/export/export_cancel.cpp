// The per-thread cancel flag of exports (see export_cancel.hpp).
#include "export/export_cancel.hpp"

namespace app {

namespace {
thread_local const std::atomic<bool>* t_cancel = nullptr;
}  // namespace

ExportCancelScope::ExportCancelScope(const std::atomic<bool>* flag) : m_previous(t_cancel) { t_cancel = flag; }
ExportCancelScope::~ExportCancelScope() { t_cancel = m_previous; }

bool export_cancelled() { return t_cancel && t_cancel->load(std::memory_order_relaxed); }

void throw_if_export_cancelled() {
  if (export_cancelled()) throw ExportCancelled();
}

}  // namespace app
