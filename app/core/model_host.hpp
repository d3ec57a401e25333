// A model opened for reading any sentence (a Hugging Face GPT-2 folder, a checkpoint trained on
// text such as the English lesson, or the model trained in Train mode), held once and run on a
// worker thread: the window never waits for a load or a forward. The model is immutable and
// shared (GPT-2 small is 500 MB: never copied per request); requests replace each other, so only
// the newest sentence is computed; the UI takes the newest result at the start of a frame. A load
// or a sentence that fails leaves the last good model and result in place, with the message.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/model_run.hpp"
#include "engine/model/checkpoint.hpp"
#include "engine/text/bpe.hpp"
#include "engine/train/detectors.hpp"

namespace app {

// Where an opened model came from.
enum class ModelSource {
  HfFolder,    // a Hugging Face GPT-2 folder
  Checkpoint,  // an attnlab .npz trained on text (it carries its BPE), e.g. the English lesson
  Trained,     // the model Train mode holds, taken when the person picked it
};

// What AppState::model_path holds for the model trained in Train mode (it has no file).
inline constexpr const char* kTrainedModelPath = "(trained in Train mode)";

// An opened model and its tokenizer, immutable once loaded.
struct OpenedModel {
  attn::Model model;
  attn::Bpe bpe;                         // the byte-level BPE its ids come from
  std::vector<std::string> token_bytes;  // (vocab) what each id stands for, for predictions
  ModelSource source = ModelSource::HfFolder;
  std::string path;     // as the person gave it (kTrainedModelPath for Trained)
  std::string name;     // for the picker and captions: "gpt2", "the English lesson"
  std::string caption;  // what it is, for figures and the line under the heads
  // Why the knobs of random weights are gone (one line under the model's shape).
  std::string fixed_why;
  double load_seconds = 0.0;
};

// The caption with " · layer N" (layer from 0; < 0: the whole model).
std::string opened_caption(const OpenedModel& model, int layer = -1);

// Reads a Hugging Face GPT-2 folder with its tokenizer, or an attnlab checkpoint that carries a
// byte-level BPE. `progress` (may be empty) hears the share of the weights read, 0 to 1. Throws
// attn::FileError naming the file and key; std::invalid_argument for a tokenizer whose vocabulary
// is not the model's, or a checkpoint of a task that reads no text (its tokens are the task's).
std::shared_ptr<const OpenedModel> open_model_path(const std::string& path,
                                                   const std::function<void(double)>& progress = {});
// What Explore's model host opens: a Hugging Face folder, or a checkpoint that carries a BPE (it
// was trained on text). Other checkpoints (the toy tasks) open in Train mode; a path that cannot
// be read is false too (Train mode's open says why).
bool opens_in_explore(const std::string& path);
// The same for a checkpoint already in memory (Train mode's model): source Trained.
std::shared_ptr<const OpenedModel> open_trained_model(const attn::Checkpoint& checkpoint);

// The sentence through the model: tokens and the forward, every layer read by the views in place
// (run.layer(l)).
struct ModelResult {
  std::uint64_t request = 0;  // the request this answers: a new one per sentence, knock-out
                              // set or model (the completed-logits copy keeps it)
  std::string text;           // the sentence it is of
  // The sentence's tokens when it has more than the model's context (the first ones are read);
  // 0 when it fits.
  std::size_t tokens_typed = 0;
  std::vector<std::uint8_t> knocked_out;  // (n_layers * n_heads) or empty: heads whose output was zeroed
  ModelRun run;                           // ids, tokens, activations (logits for every position)
  // Every head's score on this sentence (text_detector_scores: previous-token, first-token, self,
  // and induction when the sentence repeats a token).
  attn::DetectorScores detectors;
  double compute_ms = 0.0;  // tokenize + forward (the first answer)
  // The first answer has the last position's logits only; want_all_logits() has the host publish
  // the same result again with every position's.
  bool all_logits = false;
};

// text -> the result, on the calling thread, with the logits of `rows`. A sentence longer than the
// model's context is read up to it (tokens_typed says so). Throws std::invalid_argument for an
// empty sentence or weights that overflow.
ModelResult compute_model_result(const OpenedModel& model, const std::string& text,
                                 attn::LogitRows rows = attn::LogitRows::All,
                                 const std::vector<std::uint8_t>& knocked_out = {});

// Which heads matter for this sentence: each head knocked out in turn (on top of the result's
// own knock-outs), the change in the log-probability of the token the model puts first after the
// sentence. Negative: the model needed that head for its answer.
struct HeadImportance {
  const ModelResult* of = nullptr;  // the result it is of (identity only)
  std::int32_t target = -1;         // the token measured: the most likely next one
  float base_logprob = 0.0f;        // its log-probability with the result's heads
  std::vector<float> delta;         // (n_layers * n_heads) log p knocked out - base; NaN not yet
  int done = 0, total = 0;          // heads measured so far, of all
};
// The sweep on the calling thread; `progress` (may be empty) gets the partial map after each layer
// and returns false to stop (a newer sentence came). Throws std::invalid_argument as above.
HeadImportance head_importance(const OpenedModel& model, const ModelResult& result,
                               const std::function<bool(const HeadImportance&)>& progress = {});

// The same result with every position's logits (after a LogitRows::Last one). Throws as above.
ModelResult with_all_logits(const OpenedModel& model, const ModelResult& first);

// What the UI reads each frame.
struct ModelHostState {
  std::shared_ptr<const OpenedModel> model;          // null until one is open
  std::shared_ptr<const ModelResult> result;         // of `model`; null until its first sentence
  bool loading = false;                              // a load is under way ...
  std::string loading_path;                          // ... of this path ...
  double loading_fraction = 0.0;                     // ... this far (0 to 1)
  std::string load_error;                            // the newest load that failed (the old model stays)
  std::uint64_t load_failures = 0;                   // +1 per load that failed
  std::shared_ptr<const HeadImportance> importance;  // of `result` (partial while it is computed)
  std::string error;                                 // the newest sentence that failed (the old result stays)
  std::uint64_t model_generation = 0;                // +1 per model opened or closed
  bool busy = false;                                 // a sentence is being computed
};

class ModelHost {
 public:
  // `notify` runs on the worker after each load or result is published (the window wakes its
  // event loop with it, so a result shows without waiting for input); it must be thread-safe.
  explicit ModelHost(std::function<void()> notify = {});
  ~ModelHost();  // finishes the job at hand (a forward, or a load) and joins
  ModelHost(const ModelHost&) = delete;
  ModelHost& operator=(const ModelHost&) = delete;

  // Loads `path` (open_model_path) on the worker; a newer open() replaces one not yet started.
  void open(std::string path);
  // Opens Train mode's model (open_trained_model) on the worker, as open() does a path.
  void open(std::shared_ptr<const attn::Checkpoint> trained);
  // Forgets the model (back to random weights); a load under way is dropped when it ends.
  void close();
  // Computes `text` with the current model unless it is the text last asked for.
  void request(const std::string& text, const std::vector<std::uint8_t>& knocked_out = {});
  // Which heads matter for the result shown (HeadImportance), computed when no newer sentence waits.
  void want_importance();
  // Every position's logits for the result shown (its first answer has the last position's only):
  // the predictions after a hovered token. Computed when no newer sentence waits.
  void want_all_logits();
  ModelHostState state() const;
  // Blocks until nothing is pending (tests, --frames runs, the first frame).
  void wait_idle() const;

 private:
  struct OpenJob {
    std::string path;
    std::shared_ptr<const attn::Checkpoint> trained;  // non-null: Train mode's model, not a file
  };
  void start_open(OpenJob job);  // both open()s: replaces a load not yet started
  void worker();
  // Nothing to do: no load, and no sentence that a model could compute. Under m_mutex.
  bool idle() const {
    return !m_working && !m_open && !(m_text && m_state.model) &&
           !(m_all_logits_wanted && m_state.result && !m_state.result->all_logits) && !importance_due();
  }
  // The result shown has no finished importance map and one was asked for. Under m_mutex.
  bool importance_due() const {
    return m_importance_wanted && m_state.result &&
           !(m_state.importance && m_state.importance->of == m_state.result.get() &&
             m_state.importance->done == m_state.importance->total);
  }

  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  mutable std::condition_variable m_idle;
  ModelHostState m_state;
  std::optional<OpenJob> m_open;  // a load to start
  struct Request {
    std::string text;
    std::vector<std::uint8_t> knocked_out;
    bool operator==(const Request& o) const { return text == o.text && knocked_out == o.knocked_out; }
  };
  std::optional<Request> m_text;     // a sentence to compute
  Request m_last_text;               // the newest sentence asked for (requests repeat every frame)
  bool m_asked = false;              // m_last_text holds a request
  bool m_all_logits_wanted = false;  // want_all_logits() since the last completion
  bool m_importance_wanted = false;  // want_importance() for the result shown
  std::uint64_t m_requests = 0;
  std::uint64_t m_open_generation = 0;  // +1 per open() and close(): a load that ends stale is dropped
  bool m_working = false, m_quit = false;
  std::function<void()> m_notify;
  std::thread m_thread;  // last: starts after every member above exists
};

}  // namespace app
