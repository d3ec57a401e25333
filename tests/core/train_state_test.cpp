// Train mode's state rules and the training worker, without a window.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "core/train_host.hpp"
#include "core/train_model_view.hpp"
#include "core/train_state.hpp"
#include "engine/train/tasks.hpp"

namespace {

app::TrainChoices small_choices(const char* task = "reverse") {
  app::TrainChoices c;
  c.task = task;
  c.arch.d_model = 16;
  c.arch.n_heads = 2;
  c.arch.d_head = 8;
  c.settings.batch = 4;
  c.settings.seq_len = 12;
  c.settings.steps = 40;
  return c;
}

app::TrainCommand reset_to(const app::TrainChoices& c) {
  app::TrainCommand command{app::TrainCommand::Kind::Reset};
  command.arch = c.arch;
  command.run = c.run;
  command.settings = c.settings;
  command.task = c.task;
  return command;
}

// Waits (bounded) until the worker has published progress that satisfies `done`.
template <typename F>
std::shared_ptr<const app::TrainProgress> wait_for(const app::TrainHost& host, F done) {
  for (int i = 0; i < 2000; ++i) {
    const auto p = host.latest();
    if (p && done(*p)) return p;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  FAIL("the trainer did not get there in 10 s");
  return nullptr;
}

}  // namespace

TEST_CASE("a weight-shaping change asks first once training has happened", "[train-ui]") {
  app::TrainState s;
  app::on_new_model(s, small_choices(), 2, 2);
  s.choices.settings.lr = 0.01f;  // a learning rate applies to the model as it is
  CHECK(app::classify_change(s) == app::ChangeOutcome::ApplyNow);
  s.choices = s.applied;
  CHECK(app::classify_change(s) == app::ChangeOutcome::Unchanged);
  s.choices.arch.n_heads = 4;  // untrained: nothing to lose
  CHECK(app::classify_change(s) == app::ChangeOutcome::ApplyNow);
  s.trained = true;
  CHECK(app::classify_change(s) == app::ChangeOutcome::AskFirst);
  s.pending = s.choices;
  app::confirm_pending(s, false);  // "keep training": the controls go back
  CHECK(s.choices == s.applied);
  CHECK_FALSE(s.pending);
  s.choices.task = "sort";
  CHECK(app::classify_change(s) == app::ChangeOutcome::AskFirst);
  s.choices = s.applied;
  s.choices.run.positional = attn::Positional::Rope;  // drops the learned position table
  CHECK(app::classify_change(s) == app::ChangeOutcome::AskFirst);
  s.choices = s.applied;
  s.choices.run.causal = false;  // no parameter depends on the mask
  CHECK(app::classify_change(s) == app::ChangeOutcome::ApplyNow);
}

TEST_CASE("knock-out toggles one head and a new model clears the set", "[train-ui]") {
  app::TrainState s;
  app::on_new_model(s, small_choices(), 2, 3);
  CHECK(app::toggle_knock_out(s, 1, 2));
  CHECK(s.knocked_out == std::vector<std::uint8_t>{0, 0, 0, 0, 0, 1});
  CHECK_FALSE(app::toggle_knock_out(s, 1, 2));
  CHECK_FALSE(app::toggle_knock_out(s, 2, 0));  // no such layer: nothing changes
  CHECK_FALSE(app::toggle_knock_out(s, 0, 3));
  app::toggle_knock_out(s, 0, 0);
  app::on_new_model(s, small_choices(), 2, 3);
  CHECK(s.knocked_out == std::vector<std::uint8_t>(6, 0));
}

TEST_CASE("the trainer runs on its worker: run, pause, step, target, timeline", "[train-ui]") {
  app::TrainHost host;
  host.post(reset_to(small_choices()));
  host.wait_idle();
  auto p = host.latest();
  REQUIRE(p);
  CHECK(p->step == 0);
  CHECK_FALSE(p->running);
  REQUIRE(p->curve.size() == 1);  // evaluated at step 0
  REQUIRE(p->timeline.size() == 1);
  CHECK(p->model->task == "reverse");

  host.post({app::TrainCommand::Kind::Step});
  host.wait_idle();
  CHECK(host.latest()->step == 1);

  host.post({app::TrainCommand::Kind::Run});
  p = wait_for(host, [](const app::TrainProgress& q) { return !q.running && q.step >= 40; });
  CHECK(p->step == 40);  // stops at the target
  CHECK(p->message.find("Reached the target of 40 steps") != std::string::npos);
  CHECK(p->curve.back()->step == 40);
  CHECK(p->timeline.back().step == 40);
  CHECK(p->timeline.size() == 5);                    // steps 0, 10, 20, 30, 40
  CHECK(*p->params != *p->timeline.front().params);  // training changed the parameters
  CHECK(app::timeline_index(*p, 0.0) == 0);
  CHECK(app::timeline_index(*p, 1.0) == 4);
  CHECK(app::timeline_index(*p, 0.52) == 2);

  // Knocking a head out re-evaluates at the same step: the curve's last point changes.
  const float loss_before = p->curve.back()->loss;
  app::TrainCommand knock{app::TrainCommand::Kind::SetKnockOut};
  knock.knocked_out = {0, 0, 1, 0};
  host.post(knock);
  host.wait_idle();
  p = host.latest();
  CHECK(p->curve.back()->step == 40);
  CHECK(p->curve.back()->loss != loss_before);
  CHECK(p->knocked_out == knock.knocked_out);
  // The "before" of before -> after: the same step with every head in, what the curve said.
  REQUIRE(p->intact != nullptr);
  CHECK(p->intact->step == 40);
  CHECK(p->intact->loss == loss_before);
  app::TrainState state;
  app::on_new_model(state, small_choices(), 2, 2);
  state.knocked_out = knock.knocked_out;
  REQUIRE(app::intact_point(*p, state) != nullptr);
  CHECK(app::intact_point(*p, state)->loss == loss_before);
  // Every head back in: no "before" to show.
  knock.knocked_out = {0, 0, 0, 0};
  host.post(knock);
  host.wait_idle();
  CHECK(host.latest()->intact == nullptr);
  state.knocked_out = knock.knocked_out;
  CHECK(app::intact_point(*host.latest(), state) == nullptr);
}

TEST_CASE("the train host's worker copies the parameters only when a step changed them", "[train-ui][publish]") {
  app::TrainHost host;
  host.post(reset_to(small_choices()));
  host.wait_idle();
  auto p = host.latest();
  REQUIRE(p);
  REQUIRE(p->params);
  REQUIRE(p->timeline.size() == 1);
  CHECK(p->params == p->timeline.front().params);  // the step-0 snapshot is the published copy

  // Publications that change no parameter share the previous copy, curve and timeline.
  auto before = p;
  host.post({app::TrainCommand::Kind::Pause});
  host.wait_idle();
  p = host.latest();
  CHECK(p->generation > before->generation);
  CHECK(p->message.find("Paused at step 0") != std::string::npos);
  CHECK(p->params == before->params);
  CHECK(p->curve.storage() == before->curve.storage());
  CHECK(p->timeline.storage() == before->timeline.storage());

  // A knock-out re-evaluates (the curve's newest point changes) without touching the parameters.
  before = p;
  app::TrainCommand knock{app::TrainCommand::Kind::SetKnockOut};
  knock.knocked_out = {0, 1, 0, 0};
  host.post(knock);
  host.wait_idle();
  p = host.latest();
  CHECK(p->knocked_out == knock.knocked_out);
  CHECK(p->params == before->params);
  CHECK(p->timeline.storage() == before->timeline.storage());
  CHECK(p->curve.storage() != before->curve.storage());
  CHECK(before->curve.size() == 1);  // the earlier snapshot still holds what it held
  CHECK(before->curve.back()->loss != p->curve.back()->loss);
  knock.knocked_out = {0, 0, 0, 0};
  host.post(knock);
  host.wait_idle();
  CHECK(host.latest()->params == before->params);

  // A step makes a new copy; the earlier snapshot keeps the parameters it had.
  before = host.latest();
  const std::vector<float> at_0 = *before->params;
  host.post({app::TrainCommand::Kind::Step});
  host.wait_idle();
  p = host.latest();
  CHECK(p->step == 1);
  REQUIRE(p->params);
  CHECK(p->params != before->params);
  CHECK(*p->params != at_0);
  CHECK(*before->params == at_0);
  CHECK(p->timeline.storage() == before->timeline.storage());  // step 1 is off the timeline's grid

  // A settings change publishes again with the same parameters.
  before = p;
  app::TrainCommand configure{app::TrainCommand::Kind::Configure};
  const app::TrainChoices c = small_choices();
  configure.run = c.run;
  configure.settings = c.settings;
  configure.settings.lr = c.settings.lr / 2;
  host.post(configure);
  host.wait_idle();
  p = host.latest();
  CHECK(p->message.find("Settings changed at step 1") != std::string::npos);
  CHECK(p->params == before->params);
  CHECK(p->timeline.storage() == before->timeline.storage());

  // Training to step 10 takes a timeline snapshot there, and the step's publication shares it.
  for (int i = 0; i < 9; ++i) host.post({app::TrainCommand::Kind::Step});
  host.wait_idle();
  p = host.latest();
  CHECK(p->step == 10);
  REQUIRE(p->timeline.size() == 2);
  CHECK(p->timeline.back().step == 10);
  CHECK(p->params == p->timeline.back().params);
  CHECK(p->timeline.front().params == before->timeline.front().params);

  // A new model is a new copy.
  before = p;
  host.post(reset_to(small_choices()));
  host.wait_idle();
  p = host.latest();
  CHECK(p->step == 0);
  CHECK(p->params != before->params);
  CHECK(p->params == p->timeline.front().params);
}

TEST_CASE("pausing stops the step counter, a bad reset keeps the model and says why", "[train-ui]") {
  app::TrainHost host;
  app::TrainChoices c = small_choices("induction");
  c.settings.seq_len = 16;
  c.settings.steps = 1000000;
  host.post(reset_to(c));
  host.post({app::TrainCommand::Kind::Run});
  wait_for(host, [](const app::TrainProgress& q) { return q.step >= 5; });
  host.post({app::TrainCommand::Kind::Pause});
  host.wait_idle();
  const long long paused_at = host.latest()->step;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(host.latest()->step == paused_at);
  CHECK_FALSE(host.latest()->running);

  app::TrainChoices bad = c;
  bad.arch.n_layers = 13;
  host.post(reset_to(bad));
  host.wait_idle();
  CHECK(host.latest()->message.find("layers (13) must be between 1 and 12") != std::string::npos);
  CHECK(host.latest()->step == paused_at);
  CHECK(host.latest()->model->model.arch.n_layers == 2);
}

TEST_CASE("a diverging run in the worker stops and keeps its parameters", "[train-ui]") {
  app::TrainHost host;
  attn::TrainSettings settings;
  settings.batch = 2;
  settings.seq_len = 12;
  attn::Trainer fresh(attn::Arch{}, attn::RunOptions{}, settings, attn::make_task("reverse"));
  auto ck = std::make_shared<attn::Checkpoint>(fresh.checkpoint());
  for (float& v : ck->model.params) v = 1e30f;
  app::TrainCommand load{app::TrainCommand::Kind::Load};
  load.checkpoint = ck;
  host.post(load);
  host.post({app::TrainCommand::Kind::Run});
  const auto p = wait_for(host, [](const app::TrainProgress& q) { return q.diverged; });
  CHECK_FALSE(p->running);
  CHECK(p->message.find("Diverged") != std::string::npos);
  CHECK(*p->params == ck->model.params);
}

TEST_CASE("a long run's curve stays bounded and evenly spread from step 0 to the newest", "[train-ui]") {
  app::BoundedCurve curve;
  curve.max_points = 64;
  const auto point_at = [](long long step) {
    auto p = std::make_shared<app::CurvePoint>();
    p->step = step;
    return std::shared_ptr<const app::CurvePoint>(std::move(p));
  };
  for (long long step = 0; step <= 1000000; step += app::kEvalEverySteps) {
    curve.add(point_at(step));
    REQUIRE(curve.points.size() <= 64);
  }
  CHECK(curve.points.front()->step == 0);
  CHECK(curve.points.back()->step == 1000000);
  CHECK(curve.points.size() >= 32);  // thinned by half at most, never emptied
  for (std::size_t i = 1; i + 1 < curve.points.size(); ++i)
    CHECK(curve.points[i]->step - curve.points[i - 1]->step == curve.spacing);
  // A re-evaluation at the newest step (a knock-out) replaces the point rather than adding one.
  const std::size_t n = curve.points.size();
  curve.add(point_at(1000000));
  CHECK(curve.points.size() == n);
  curve.clear(app::kEvalEverySteps);
  CHECK(curve.points.empty());
  CHECK(curve.spacing == app::kEvalEverySteps);
}

TEST_CASE("a model of another task brings that task's example, the same task keeps the person's", "[train-ui]") {
  app::TrainState s;
  s.example = "my own reverse input";
  s.example_task = "reverse";
  app::on_new_model(s, small_choices("reverse"), 2, 2);
  CHECK(s.example == "my own reverse input");
  app::on_new_model(s, small_choices("sentences"), 2, 2);  // Discard and start again on sentences
  CHECK(s.example == attn::make_task("sentences")->example());
  CHECK(s.example_task == "sentences");
}

TEST_CASE("derived choices: any head count that divides d_model is accepted, with its position table", "[train-ui]") {
  for (int heads : {1, 2, 4, 8}) {
    app::TrainChoices c = small_choices("induction");
    c.arch.learned_positions = false;  // as a fresh TrainChoices has it before derivation
    c.arch.n_heads = heads;
    app::derive_choices(c, true);
    INFO(heads << " heads");
    CHECK(app::choices_problem(c, true).empty());
    CHECK(c.arch.d_head * heads == c.arch.d_model);
    CHECK(c.arch.learned_positions == (c.run.positional == attn::Positional::Learned));
  }
  app::TrainChoices odd = small_choices("induction");
  odd.arch.n_heads = 3;
  app::derive_choices(odd, true);
  CHECK_THAT(app::choices_problem(odd, true), Catch::Contains("not divisible by 3 heads"));
}

TEST_CASE("knock-outs on a scrubbed-back step show that step re-evaluated with them", "[train-ui]") {
  const app::TrainChoices choices = small_choices();
  app::TrainCommand knock{app::TrainCommand::Kind::SetKnockOut};
  knock.knocked_out = {0, 0, 1, 0};

  // The truth: the same model at step 0 with that head knocked out, evaluated there.
  app::TrainHost fresh;
  fresh.post(reset_to(choices));
  fresh.wait_idle();
  const float intact_at_0 = fresh.latest()->curve.back()->loss;
  fresh.post(knock);
  fresh.wait_idle();
  const float knocked_at_0 = fresh.latest()->curve.back()->loss;
  REQUIRE(knocked_at_0 != intact_at_0);

  // Train 40 steps, knock the head out, scrub back to step 0.
  app::TrainHost host;
  host.post(reset_to(choices));
  host.post({app::TrainCommand::Kind::Run});
  wait_for(host, [](const app::TrainProgress& q) { return !q.running && q.step >= 40; });
  host.post(knock);
  host.wait_idle();
  app::TrainState state;
  app::on_new_model(state, choices, 2, 2);
  state.knocked_out = knock.knocked_out;
  state.follow_latest = false;
  state.timeline_position = 0.0;
  auto p = host.latest();
  REQUIRE(app::shown_params(*p, state).step == 0);
  CHECK(app::shown_point(*p, state) == nullptr);  // the curve's step-0 point is the intact model's
  const app::ParamsAtStep need = app::shown_evaluation_needed(*p, state);
  REQUIRE(need.params);
  CHECK(need.step == 0);

  app::TrainCommand evaluate{app::TrainCommand::Kind::EvaluateShown};
  evaluate.shown = need;
  host.post(evaluate);
  host.wait_idle();
  p = host.latest();
  const app::CurvePoint* point = app::shown_point(*p, state);
  REQUIRE(point != nullptr);
  CHECK(point->step == 0);
  CHECK(point->loss == knocked_at_0);
  CHECK_FALSE(app::shown_evaluation_needed(*p, state).params);  // answered: nothing more to ask
  CHECK(p->step == 40);                                         // the trainer's own model is untouched
  CHECK(app::point_at(*p, 40)->step == 40);

  // Without knock-outs the curve's own point is shown and nothing is asked.
  state.knocked_out = {0, 0, 0, 0};
  CHECK(app::shown_point(*p, state)->loss == intact_at_0);
  CHECK_FALSE(app::shown_evaluation_needed(*p, state).params);
}
