// The model host's worker: loads and forwards, one job at a time, newest request wins.
#include "core/model_host.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>

#include "core/detector_notes.hpp"
#include "core/hf_run.hpp"
#include "core/lessons.hpp"
#include "engine/finite_check.hpp"
#include "engine/model/predict.hpp"

namespace app {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string folder_name(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path.substr(path.find_last_of('/') + 1);
}

}  // namespace

std::string opened_caption(const OpenedModel& model, int layer) {
  return layer < 0 ? model.caption : model.caption + " \xC2\xB7 layer " + std::to_string(layer + 1);
}

namespace {

std::string fixed_knobs_line(const OpenedModel& m) {
  const attn::Arch& a = m.model.arch;
  const std::string shape = std::to_string(a.n_heads) + (a.n_heads == 1 ? " head of " : " heads of ") +
                            std::to_string(a.d_head) + " in each of its " + std::to_string(a.n_layers) +
                            (a.n_layers == 1 ? " layer" : " layers");
  switch (m.source) {
    case ModelSource::HfFolder:
      return "GPT-2 has " + shape +
             ", fixed when it was trained; to choose heads and widths, train your own in "
             "Train mode.";
    case ModelSource::Checkpoint:
    case ModelSource::Trained:
      return "It has " + shape + ", fixed when it was trained; to choose others, train a model in Train mode.";
  }
  return {};
}

std::shared_ptr<OpenedModel> from_checkpoint(const attn::Checkpoint& ck, const std::string& what) {
  if (!ck.tokenizer)
    throw std::invalid_argument(what + " was trained on the " + ck.task +
                                " task: it reads that task's tokens, not text. Open it in Train mode (File > Open "
                                "model...) to see it on its task.");
  auto opened = std::make_shared<OpenedModel>();
  opened->model = ck.model;
  opened->bpe = *ck.tokenizer;
  if (opened->bpe.vocab_size() != static_cast<std::size_t>(ck.model.arch.vocab_size))
    throw std::invalid_argument("the tokenizer in " + what + " has " + std::to_string(opened->bpe.vocab_size()) +
                                " tokens but the model's embedding has " + std::to_string(ck.model.arch.vocab_size));
  opened->token_bytes.reserve(opened->bpe.vocab_size());
  for (std::size_t id = 0; id < opened->bpe.vocab_size(); ++id)
    opened->token_bytes.push_back(opened->bpe.token_bytes(static_cast<std::int32_t>(id)));
  opened->caption = model_caption(ck);
  return opened;
}

}  // namespace

std::shared_ptr<const OpenedModel> open_model_path(const std::string& path,
                                                   const std::function<void(double)>& progress) {
  const auto t0 = Clock::now();
  std::shared_ptr<OpenedModel> opened;
  if (attn::is_hf_folder(path)) {
    opened = std::make_shared<OpenedModel>();
    attn::HfGpt2 hf = attn::load_hf_gpt2(path, progress);
    opened->bpe = attn::load_bpe(path);
    if (opened->bpe.vocab_size() != static_cast<std::size_t>(hf.model.arch.vocab_size))
      throw std::invalid_argument("the tokenizer in " + path + " has " + std::to_string(opened->bpe.vocab_size()) +
                                  " tokens but the model's embedding has " + std::to_string(hf.model.arch.vocab_size));
    opened->token_bytes.reserve(hf.vocab.size());
    for (const std::string& entry : hf.vocab) opened->token_bytes.push_back(attn::gpt2_token_bytes(entry));
    opened->caption = hf_caption(hf);
    opened->model = std::move(hf.model);
    opened->source = ModelSource::HfFolder;
    opened->name = folder_name(path);
  } else {
    opened = from_checkpoint(attn::load_checkpoint(path), path);
    if (progress) progress(1.0);
    opened->source = ModelSource::Checkpoint;
    opened->name = path == lesson_path("english") ? "the English lesson" : folder_name(path);
  }
  opened->path = path;
  opened->fixed_why = fixed_knobs_line(*opened);
  opened->load_seconds = seconds_since(t0);
  return opened;
}

bool opens_in_explore(const std::string& path) {
  if (attn::is_hf_folder(path)) return true;
  try {
    return attn::load_checkpoint(path).tokenizer.has_value();
  } catch (const std::exception&) {
    return false;
  }
}

std::shared_ptr<const OpenedModel> open_trained_model(const attn::Checkpoint& checkpoint) {
  const auto t0 = Clock::now();
  std::shared_ptr<OpenedModel> opened = from_checkpoint(checkpoint, "the model in Train mode");
  opened->source = ModelSource::Trained;
  opened->path = kTrainedModelPath;
  opened->name = "the model trained in Train mode";
  opened->fixed_why = fixed_knobs_line(*opened);
  opened->load_seconds = seconds_since(t0);
  return opened;
}

ModelResult compute_model_result(const OpenedModel& model, const std::string& text, attn::LogitRows rows,
                                 const std::vector<std::uint8_t>& knocked_out) {
  const auto t0 = Clock::now();
  if (text.empty()) throw std::invalid_argument("the sentence is empty: type something for " + model.name + " to read");
  std::vector<std::int32_t> ids = model.bpe.encode(text);
  if (ids.empty()) throw std::invalid_argument("the sentence has no tokens");
  ModelResult result;
  result.text = text;
  const attn::Arch& a = model.model.arch;
  if (ids.size() > static_cast<std::size_t>(a.max_seq_len)) {  // the first ones, and the window says so
    result.tokens_typed = ids.size();
    ids.resize(static_cast<std::size_t>(a.max_seq_len));
  }
  if (!knocked_out.empty() &&
      knocked_out.size() != static_cast<std::size_t>(a.n_layers) * static_cast<std::size_t>(a.n_heads))
    throw std::invalid_argument("the knock-outs name " + std::to_string(knocked_out.size()) +
                                " heads but the model has " + std::to_string(a.n_layers * a.n_heads));
  result.knocked_out = knocked_out;
  result.run = run_token_ids(
      model.model, ids, [&](std::int32_t id) { return model.token_bytes[static_cast<std::size_t>(id)]; }, rows,
      knocked_out.empty() ? nullptr : knocked_out.data());
  result.all_logits = rows == attn::LogitRows::All;
  result.detectors = text_detector_scores(result.run);
  result.compute_ms = seconds_since(t0) * 1000.0;
  return result;
}

HeadImportance head_importance(const OpenedModel& model, const ModelResult& result,
                               const std::function<bool(const HeadImportance&)>& progress) {
  const attn::Model& m = model.model;
  const int L = m.arch.n_layers, H = m.arch.n_heads, V = m.arch.vocab_size;
  const std::vector<std::int32_t>& ids = result.run.input.ids;
  const int T = static_cast<int>(ids.size());
  const std::size_t last = static_cast<std::size_t>(T - 1) * static_cast<std::size_t>(V);
  // log p(id) of the last row, in double.
  const auto log_prob = [V](const float* row, std::int32_t id) {
    double max = row[0];
    for (int i = 1; i < V; ++i) max = std::max(max, static_cast<double>(row[i]));
    double sum = 0.0;
    for (int i = 0; i < V; ++i) sum += std::exp(static_cast<double>(row[i]) - max);
    return static_cast<float>(static_cast<double>(row[id]) - max - std::log(sum));
  };
  HeadImportance out;
  out.of = &result;
  out.total = L * H;
  out.delta.assign(static_cast<std::size_t>(L * H), std::numeric_limits<float>::quiet_NaN());
  const float* base_row = result.run.acts.logits.data() + last;
  out.target = attn::top_next_tokens(base_row, V, 1).front().id;
  out.base_logprob = log_prob(base_row, out.target);
  std::vector<std::uint8_t> base_mask = result.knocked_out;
  if (base_mask.empty()) base_mask.assign(static_cast<std::size_t>(L * H), 0);
  // The heads of a layer are split among the cores (each forward is one-threaded BLAS), each
  // worker with its own activations and mask. From the last layer down: a knock-out in layer l
  // recomputes layers l.. only, and every layer below l still holds the result's own activations.
  struct Worker {
    attn::Activations acts;
    std::vector<std::uint8_t> mask;
    std::string error;
  };
  const int n_workers = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, std::max(1, H));
  std::vector<Worker> workers(static_cast<std::size_t>(n_workers), Worker{result.run.acts, base_mask, {}});
  const auto knock_out_heads = [&](Worker& w, int l, int first, int step) {
    try {
      attn::ForwardOptions options;
      options.rows = attn::LogitRows::Last;
      options.knocked_out = w.mask.data();
      options.from_layer = l;
      for (int h = first; h < H; h += step) {
        const std::size_t at = static_cast<std::size_t>(l * H + h);
        if (w.mask[at]) {  // already knocked out in the result: knocking it out again changes nothing
          out.delta[at] = 0.0f;
          continue;
        }
        w.mask[at] = 1;
        attn::model_forward(m, ids.data(), 1, T, w.acts, options);
        w.mask[at] = 0;
        attn::require_finite_result(w.acts.logits.data() + last, static_cast<std::size_t>(V), "logits");
        out.delta[at] = log_prob(w.acts.logits.data() + last, out.target) - out.base_logprob;  // its own cell
      }
    } catch (const std::exception& e) {
      w.error = e.what();
    }
  };
  for (int l = L - 1; l >= 0; --l) {
    std::vector<std::thread> threads;
    for (int i = 1; i < n_workers; ++i)
      threads.emplace_back(knock_out_heads, std::ref(workers[static_cast<std::size_t>(i)]), l, i, n_workers);
    knock_out_heads(workers[0], l, 0, n_workers);
    for (std::thread& t : threads) t.join();
    for (const Worker& w : workers)
      if (!w.error.empty()) throw std::invalid_argument(w.error);
    out.done += H;
    if (progress && !progress(out)) return out;
  }
  return out;
}

ModelResult with_all_logits(const OpenedModel& model, const ModelResult& first) {
  ModelResult full = first;
  attn::model_logits(model.model, full.run.acts);
  attn::require_finite_result(full.run.acts.logits.data(), full.run.acts.logits.size(), "logits");
  full.all_logits = true;
  return full;
}

ModelHost::ModelHost(std::function<void()> notify) : m_notify(std::move(notify)), m_thread([this] { worker(); }) {}

ModelHost::~ModelHost() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_quit = true;
  }
  m_wake.notify_all();
  m_thread.join();
}

void ModelHost::open(std::string path) { start_open(OpenJob{std::move(path), nullptr}); }

void ModelHost::open(std::shared_ptr<const attn::Checkpoint> trained) {
  start_open(OpenJob{kTrainedModelPath, std::move(trained)});
}

void ModelHost::start_open(OpenJob job) {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    ++m_open_generation;
    m_state.loading = true;
    m_state.loading_path = job.path;
    m_state.loading_fraction = 0.0;
    m_state.load_error.clear();
    m_open = std::move(job);
  }
  m_wake.notify_all();
}

void ModelHost::close() {
  std::lock_guard<std::mutex> lock(m_mutex);
  ++m_open_generation;
  m_open.reset();
  m_text.reset();
  m_last_text = Request{};
  m_asked = false;
  ModelHostState cleared;  // the counters go on, so a reader still sees every change
  cleared.model_generation = m_state.model_generation + 1;
  cleared.load_failures = m_state.load_failures;
  m_state = std::move(cleared);
  m_idle.notify_all();
}

void ModelHost::request(const std::string& text, const std::vector<std::uint8_t>& knocked_out) {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    Request r{text, knocked_out};
    if (m_asked && r == m_last_text) return;  // the window asks every frame
    m_asked = true;
    m_last_text = r;
    m_text = std::move(r);
    ++m_requests;
  }
  m_wake.notify_all();
}

void ModelHost::want_importance() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_importance_wanted || !m_state.result) return;
    m_importance_wanted = true;
  }
  m_wake.notify_all();
}

ModelHostState ModelHost::state() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  ModelHostState s = m_state;
  s.busy = !idle();
  return s;
}

void ModelHost::want_all_logits() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_state.result || m_state.result->all_logits || m_all_logits_wanted) return;
    m_all_logits_wanted = true;
  }
  m_wake.notify_all();
}

void ModelHost::wait_idle() const {
  std::unique_lock<std::mutex> lock(m_mutex);
  m_idle.wait(lock, [this] { return idle(); });
}

void ModelHost::worker() {
  std::unique_lock<std::mutex> lock(m_mutex);
  for (;;) {
    m_wake.wait(lock, [this] { return m_quit || !idle(); });
    if (m_quit) return;
    m_working = true;
    if (m_open) {
      // A load first: the sentence asked for meanwhile is computed with the new model.
      const OpenJob job = std::move(*m_open);
      m_open.reset();
      const std::uint64_t generation = m_open_generation;
      lock.unlock();
      std::shared_ptr<const OpenedModel> opened;
      std::string error;
      const auto progress = [&](double fraction) {
        {
          std::lock_guard<std::mutex> guard(m_mutex);
          if (generation != m_open_generation) return;  // a newer open() or close(): its bar, not ours
          m_state.loading_fraction = fraction;
        }
        if (m_notify) m_notify();
      };
      try {
        opened = job.trained ? open_trained_model(*job.trained) : open_model_path(job.path, progress);
      } catch (const std::exception& e) {
        error = e.what();
      }
      lock.lock();
      if (generation == m_open_generation) {  // else a newer open() or close() came meanwhile
        m_state.loading = false;
        m_state.loading_path.clear();
        if (opened) {
          m_state.model = std::move(opened);
          m_state.result.reset();
          m_state.importance.reset();   // of the old model's sentence
          m_importance_wanted = false;  // the window asks again when the map is shown
          m_state.error.clear();
          ++m_state.model_generation;
          if (m_asked) {  // the sentence again, as a new request: every result of a new model is new
            m_text = m_last_text;
            ++m_requests;
          }
        } else {
          m_state.load_error = "Model not opened: " + error;
          ++m_state.load_failures;
        }
      }
    } else if (m_text && m_state.model) {
      const Request asked = std::move(*m_text);
      m_text.reset();
      const std::uint64_t request = m_requests;
      const std::shared_ptr<const OpenedModel> model = m_state.model;
      lock.unlock();
      std::shared_ptr<ModelResult> result;
      std::string error;
      try {
        // The attention and the last position's answer first: what a keystroke waits for.
        result = std::make_shared<ModelResult>(
            compute_model_result(*model, asked.text, attn::LogitRows::Last, asked.knocked_out));
        result->request = request;
      } catch (const std::exception& e) {
        error = e.what();
      }
      lock.lock();
      if (model == m_state.model) {  // else the model changed meanwhile: the answer is stale
        if (result) {
          m_state.result = std::move(result);
          m_state.error.clear();
          m_state.importance.reset();   // of the previous sentence
          m_importance_wanted = false;  // a new sentence asks again if the map is shown
        } else {
          m_state.error = error;
        }
      }
    } else if (importance_due()) {
      // Which heads matter: each knocked out in turn; the partial map published after each layer.
      const std::shared_ptr<const ModelResult> result = m_state.result;
      const std::shared_ptr<const OpenedModel> model = m_state.model;
      lock.unlock();
      const auto publish = [&](const HeadImportance& partial) {
        std::lock_guard<std::mutex> guard(m_mutex);
        if (m_state.result != result || m_open || m_text) return false;  // stale: stop
        m_state.importance = std::make_shared<HeadImportance>(partial);
        if (m_notify) m_notify();
        return true;
      };
      std::string error;
      try {
        head_importance(*model, *result, publish);
      } catch (const std::exception& e) {
        error = e.what();
      }
      lock.lock();
      if (!error.empty() && m_state.result == result) m_state.error = error;
      if (!error.empty() || m_state.result != result) m_importance_wanted = false;
    } else {
      // Every position's logits, asked for by a hover: the same result again, completed.
      const std::shared_ptr<const ModelResult> first = m_state.result;
      const std::shared_ptr<const OpenedModel> model = m_state.model;
      m_all_logits_wanted = false;
      lock.unlock();
      std::shared_ptr<ModelResult> full;
      std::string error;
      try {
        full = std::make_shared<ModelResult>(with_all_logits(*model, *first));
      } catch (const std::exception& e) {
        error = e.what();
      }
      lock.lock();
      if (model == m_state.model && m_state.result == first) {  // else a newer answer came meanwhile
        if (full) {
          m_state.result = std::move(full);
          if (m_state.importance) {  // the same sentence: its map still holds
            auto moved = std::make_shared<HeadImportance>(*m_state.importance);
            moved->of = m_state.result.get();
            m_state.importance = std::move(moved);
          }
        } else {
          m_state.error = error;
        }
      }
    }
    m_working = false;
    if (idle()) m_idle.notify_all();
    if (m_notify) {
      lock.unlock();  // the callback may take its own locks
      m_notify();
      lock.lock();
    }
  }
}

}  // namespace app
