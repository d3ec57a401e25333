// Stopping an export that a worker thread is writing (the window's Cancel while it closes). The
// flag is installed for the worker thread only, so the figure encoders check it without every
// function between the window and Cairo passing it along; a cancelled export writes nothing.
#pragma once
#include <atomic>
#include <stdexcept>

namespace app {

struct ExportCancelled : std::runtime_error {
  ExportCancelled() : std::runtime_error("the export was cancelled") {}
};

// While alive, throw_if_export_cancelled() on this thread throws once *flag is true.
class ExportCancelScope {
 public:
  explicit ExportCancelScope(const std::atomic<bool>* flag);
  ~ExportCancelScope();
  ExportCancelScope(const ExportCancelScope&) = delete;
  ExportCancelScope& operator=(const ExportCancelScope&) = delete;

 private:
  const std::atomic<bool>* m_previous;
};

// Throws ExportCancelled when this thread's export was cancelled; cheap enough to call between
// pieces of drawing and encoding.
void throw_if_export_cancelled();
bool export_cancelled();  // the same, as a value (for C callbacks that must not throw)

}  // namespace app
