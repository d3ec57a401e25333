// Training on a worker thread for the window. The worker owns the Trainer and publishes
// immutable snapshots of its progress; the UI takes the newest at the start of a frame and never
// waits for the trainer (Tracy's Worker / GetDataLock contract). Pause, step and reset are
// messages in a queue, not flags poked from both threads.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "core/shared_list.hpp"
#include "engine/model/checkpoint.hpp"
#include "engine/train/text_task.hpp"
#include "engine/train/trainer.hpp"

namespace app {

// One evaluation on the held-out batch.
struct CurvePoint {
  long long step = 0;
  double seconds = 0.0;  // training time up to this step
  float loss = 0.0f, accuracy = 0.0f;
  double bits_per_byte = 0.0;      // the text task's held-out loss per byte of text (0: other tasks)
  attn::DetectorScores detectors;  // every head's score for the task's detectors
};

// An evaluation as a curve point, after `seconds` of training.
std::shared_ptr<const CurvePoint> curve_point(const attn::Evaluation& evaluation, double seconds);

// Every evaluation so far, oldest first; shared between snapshots (see SharedList).
using Curve = SharedList<std::shared_ptr<const CurvePoint>>;

// A training curve of bounded size: the points whose step is a multiple of `spacing`, plus the
// newest evaluation last. A point at the newest step replaces it (a re-evaluation after a
// knock-out); past `max_points` every other grid point goes and the spacing doubles, like the
// timeline, so a run of any length keeps evenly spread points from step 0 to now.
struct BoundedCurve {
  Curve points;
  long long spacing = 10;
  std::size_t max_points = 4096;  // about 2 MB of points with 4 x 4 heads' detector scores

  void add(std::shared_ptr<const CurvePoint> point);
  void clear(long long first_spacing);
};

// The model's parameters at one step, for the timeline.
struct ParamsAtStep {
  long long step = 0;
  std::shared_ptr<const std::vector<float>> params;
};

// Parameter snapshots along the run, oldest first; shared between snapshots (see SharedList).
using Timeline = SharedList<ParamsAtStep>;

// An earlier step's parameters evaluated with the heads knocked out now: the curve holds what
// training measured at that step, so a knock-out on a scrubbed-back timeline needs its own.
struct ShownEvaluation {
  std::shared_ptr<const std::vector<float>> params;  // the timeline snapshot it evaluated
  std::vector<std::uint8_t> knocked_out;             // with these heads knocked out
  std::shared_ptr<const CurvePoint> point;           // loss, accuracy, detectors at that step
};

// The newest published state. Immutable: the UI may keep it as long as it likes. What did not
// change since the previous publication is shared with it, not copied: `params` (the same object
// until a step, reset or load changes the parameters), `curve` and `timeline` (see SharedList).
struct TrainProgress {
  std::uint64_t generation = 0;                      // +1 per publication
  std::uint64_t model_generation = 0;                // +1 per new model (reset, load): the UI clears its views
  std::shared_ptr<const attn::Checkpoint> model;     // shape, task, vocabulary, settings (its params: step 0)
  std::shared_ptr<const std::vector<float>> params;  // the parameters at `step`
  std::vector<std::uint8_t> knocked_out;             // (layers * heads), as training and evaluation use it
  long long step = 0;
  bool running = false;                  // steps are being made
  bool diverged = false;                 // the last step's loss was not finite: stopped, params kept
  std::string message;                   // what just happened ("Paused at step 120", an error)
  bool error = false;                    // the message is a refusal or a failure (drawn as an error)
  std::uint64_t message_generation = 0;  // the publication that set the message
  double steps_per_second = 0.0, tokens_per_second = 0.0;
  Curve curve;        // every evaluation so far, by step
  Timeline timeline;  // snapshots along the run, bounded by kTimelineBytes
  std::size_t timeline_bytes = 0;
  std::shared_ptr<const ShownEvaluation> shown_evaluation;  // the newest EvaluateShown's answer
  // With heads knocked out: the newest step evaluated with every head in, for "before -> after"
  // (the curve's newest point is the knocked-out model's); null when no head is knocked out.
  std::shared_ptr<const CurvePoint> intact;
  // The text task: where its text comes from ("" the English corpus, else the file) and the
  // unigram and bigram baselines' bits per byte on the held-out batch (0 for the other tasks).
  std::string text_file;
  double unigram_bpb = 0.0, bigram_bpb = 0.0;
};

// The timeline keeps at most this much parameter memory: when full, every other snapshot is
// dropped and the spacing doubles, so a long run keeps evenly spread steps from 0 to now.
inline constexpr std::size_t kTimelineBytes = 64u << 20;
inline constexpr int kTimelineMinSpacing = 10;  // steps between snapshots at the start
inline constexpr int kEvalEverySteps = 10;      // steps between evaluations (curve points)

// What the UI asks for.
struct TrainCommand {
  enum class Kind { Run, Pause, Step, Reset, Configure, Load, SetKnockOut, EvaluateShown, Quit };
  TrainCommand(Kind k = Kind::Pause) : kind(k) {}  // NOLINT: a kind alone is a whole command
  Kind kind;
  attn::Arch arch;  // Reset: the new model's shape, run options and settings;
                    // Configure: run options and settings for the model as it is
  attn::RunOptions run;
  attn::TrainSettings settings;
  std::string task;
  std::string text_file;                               // Reset of the text task: "" the English corpus, else a file
  std::shared_ptr<const attn::Checkpoint> checkpoint;  // Load
  std::vector<std::uint8_t> knocked_out;               // SetKnockOut: (layers * heads)
  ParamsAtStep shown;                                  // EvaluateShown: a timeline snapshot
};

class TrainHost {
 public:
  TrainHost();
  ~TrainHost();  // stops and joins the worker
  TrainHost(const TrainHost&) = delete;
  TrainHost& operator=(const TrainHost&) = delete;

  void post(TrainCommand command);
  // The newest progress; null before the first model exists. Never blocks on a training step.
  std::shared_ptr<const TrainProgress> latest() const;
  // Blocks until no command is pending and the worker is idle or running (tests, headless use).
  void wait_idle() const;

 private:
  void worker();
  // Runs `work` (a command, a step) so that no exception leaves the worker: see the definition.
  void guarded(const std::function<void()>& work);
  // Empty when training `arch` with `settings` fits in memory (the machine's available memory
  // plus `freed`, what the trainer gives back first); else why not, for the status line.
  std::string memory_refusal(const attn::Arch& arch, const attn::RunOptions& run, const attn::TrainSettings& settings,
                             std::uint64_t freed) const;
  void handle(const TrainCommand& c);
  void train_one_step();
  void evaluate_and_record();
  // The trainer's parameters as an immutable copy: the previous copy while they have not changed
  // since it was made, else a new one (which the timeline and the next publications share).
  std::shared_ptr<const std::vector<float>> params_copy();
  // A new message (empty: keep the previous one); publish_error marks it as an error.
  void publish(const std::string& message, bool error = false);
  void publish_error(const std::string& message);

  // Shared with the UI thread: the queue and the newest progress, each under m_mutex.
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  mutable std::condition_variable m_idle;
  std::deque<TrainCommand> m_queue;
  std::shared_ptr<const TrainProgress> m_latest;
  bool m_busy = false;  // the worker is handling a command

  // The worker's own state: touched by the worker thread only.
  std::unique_ptr<attn::Trainer> m_trainer;
  std::shared_ptr<const attn::Checkpoint> m_spec;  // the model as created: shape, task, vocabulary
  bool m_running = false, m_diverged = false, m_quit = false;
  long long m_steps_left = 0;  // Step: steps still to make before pausing
  std::uint64_t m_generation = 0, m_model_generation = 0;
  double m_train_seconds = 0.0;
  BoundedCurve m_curve;
  Timeline m_timeline;
  int m_timeline_spacing = kTimelineMinSpacing;
  std::size_t m_timeline_bytes = 0;
  std::shared_ptr<const ShownEvaluation> m_shown_evaluation;
  std::shared_ptr<const CurvePoint> m_intact;  // TrainProgress::intact
  std::string m_text_file;                     // TrainProgress::text_file
  attn::TextTask::Baselines m_baselines;       // TrainProgress::unigram_bpb, bigram_bpb
  double m_rate_window_seconds = 0.0;
  int m_rate_window_steps = 0;
  double m_steps_per_second = 0.0;
  std::shared_ptr<const std::vector<float>> m_params;  // params_copy()'s newest copy
  bool m_params_changed = false;                       // a step or a new model changed them since

  std::thread m_thread;  // last: starts after every member above exists
};

// The model as trained up to now: the published spec (shape, task, vocabulary, settings, and for
// the text task its BPE) with the parameters and step of `progress`. What File > Save model writes
// and what opening the trained model elsewhere takes. Throws std::invalid_argument when there is
// no model yet.
attn::Checkpoint trained_checkpoint(const TrainProgress& progress);

// The timeline entry to show for a slider position in [0, 1] (the nearest snapshot), or -1.
int timeline_index(const TrainProgress& progress, double position);

}  // namespace app
