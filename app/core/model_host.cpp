// The model host's worker: loads and forwards, one job at a time, newest request wins.
#include "core/model_host.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "core/hf_run.hpp"
#include "engine/finite_check.hpp"
#include "engine/model/layer_trace.hpp"

namespace app {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string folder_name(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path.substr(path.find_last_of('/') + 1);
}

}  // namespace

std::shared_ptr<const OpenedModel> open_hf_model(const std::string& path) {
  const auto t0 = Clock::now();
  auto opened = std::make_shared<OpenedModel>();
  opened->hf = attn::load_hf_gpt2(path);
  opened->bpe = attn::load_bpe(path);
  if (opened->bpe.vocab_size() != static_cast<std::size_t>(opened->hf.model.arch.vocab_size))
    throw std::invalid_argument("the tokenizer in " + path + " has " + std::to_string(opened->bpe.vocab_size()) +
                                " tokens but the model's embedding has " +
                                std::to_string(opened->hf.model.arch.vocab_size));
  opened->token_bytes.reserve(opened->hf.vocab.size());
  for (const std::string& entry : opened->hf.vocab) opened->token_bytes.push_back(attn::gpt2_token_bytes(entry));
  opened->path = path;
  opened->name = folder_name(path);
  opened->load_seconds = seconds_since(t0);
  return opened;
}

attn::Sequence sentence_cells(const std::vector<std::int32_t>& ids) {
  attn::Sequence seq;
  seq.ids = ids;
  const int n = static_cast<int>(ids.size());
  auto& previous = seq.cells[static_cast<int>(attn::Detector::PreviousToken)];
  auto& first = seq.cells[static_cast<int>(attn::Detector::FirstToken)];
  auto& induction = seq.cells[static_cast<int>(attn::Detector::Induction)];
  for (int i = 1; i < n; ++i) {
    previous.push_back({i, i - 1});
    first.push_back({i, 0});
    for (int j = 0; j + 1 < i; ++j)
      if (ids[static_cast<std::size_t>(j)] == ids[static_cast<std::size_t>(i)]) induction.push_back({i, j + 1});
  }
  return seq;
}

ModelResult compute_model_result(const OpenedModel& model, const std::string& text, attn::LogitRows rows) {
  const auto t0 = Clock::now();
  if (text.empty()) throw std::invalid_argument("the sentence is empty: type something for " + model.name + " to read");
  const std::vector<std::int32_t> ids = model.bpe.encode(text);
  if (ids.empty()) throw std::invalid_argument("the sentence has no tokens");
  ModelResult result;
  result.text = text;
  result.run = run_hf_ids(model.hf, ids, rows);  // refuses more tokens than n_positions, naming both
  result.all_logits = rows == attn::LogitRows::All;
  result.layers.reserve(static_cast<std::size_t>(model.hf.model.arch.n_layers));
  for (int l = 0; l < model.hf.model.arch.n_layers; ++l)
    result.layers.push_back(attn::layer_trace(model.hf.model, result.run.acts, l, result.run.labels));
  const attn::Sequence cells = sentence_cells(ids);
  result.detectors = attn::score_detectors(result.run.acts, {cells}, kSentenceDetectors);
  auto& reported = result.detectors.reported;  // a detector with no cells here (no repeat) says nothing
  reported.erase(std::remove_if(reported.begin(), reported.end(),
                                [&](attn::Detector d) { return cells.cells[static_cast<int>(d)].empty(); }),
                 reported.end());
  result.compute_ms = seconds_since(t0) * 1000.0;
  return result;
}

ModelResult with_all_logits(const OpenedModel& model, const ModelResult& first) {
  ModelResult full = first;
  attn::model_logits(model.hf.model, full.run.acts);
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

void ModelHost::open(std::string path) {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    ++m_open_generation;
    m_state.loading = true;
    m_state.loading_path = path;
    m_state.load_error.clear();
    m_open = std::move(path);
  }
  m_wake.notify_all();
}

void ModelHost::close() {
  std::lock_guard<std::mutex> lock(m_mutex);
  ++m_open_generation;
  m_open.reset();
  m_text.reset();
  m_last_text.clear();
  m_asked = false;
  ModelHostState cleared;  // the counters go on, so a reader still sees every change
  cleared.model_generation = m_state.model_generation + 1;
  cleared.load_failures = m_state.load_failures;
  m_state = std::move(cleared);
  m_idle.notify_all();
}

void ModelHost::request(const std::string& text) {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_asked && text == m_last_text) return;  // the window asks every frame
    m_asked = true;
    m_last_text = text;
    m_text = text;
    ++m_requests;
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
      const std::string path = std::move(*m_open);
      m_open.reset();
      const std::uint64_t generation = m_open_generation;
      lock.unlock();
      std::shared_ptr<const OpenedModel> opened;
      std::string error;
      try {
        opened = open_hf_model(path);
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
          m_state.error.clear();
          ++m_state.model_generation;
          if (m_asked) m_text = m_last_text;
        } else {
          m_state.load_error = "Model not opened: " + error;
          ++m_state.load_failures;
        }
      }
    } else if (m_text) {
      const std::string text = std::move(*m_text);
      m_text.reset();
      const std::uint64_t request = m_requests;
      const std::shared_ptr<const OpenedModel> model = m_state.model;
      lock.unlock();
      std::shared_ptr<ModelResult> result;
      std::string error;
      try {
        // The attention and the last position's answer first: what a keystroke waits for.
        result = std::make_shared<ModelResult>(compute_model_result(*model, text, attn::LogitRows::Last));
        result->request = request;
      } catch (const std::exception& e) {
        error = e.what();
      }
      lock.lock();
      if (model == m_state.model) {  // else the model changed meanwhile: the answer is stale
        if (result) {
          m_state.result = std::move(result);
          m_state.error.clear();
        } else {
          m_state.error = error;
        }
      }
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
        if (full) m_state.result = std::move(full);
        else m_state.error = error;
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
