// SPDX-License-Identifier: MIT
// Optimizers and schedulers against PyTorch 1.13 trajectories
// (../shared/conformance/optim.json, schedulers.json).
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "autograd/nn/nn.hpp"

using namespace ag;
using json = nlohmann::json;

namespace {

const std::filesystem::path kDir(AG_CONFORMANCE_DIR);
const std::filesystem::path kReference(AG_REFERENCE_DIR);

Tensor load(const json& t) {
  return Tensor::from(t.at("data").get<std::vector<double>>(),
                      Shape(t.at("shape").get<std::vector<std::int64_t>>()));
}

void expect_close(const Tensor& got, const json& want, double rtol = 1e-9, double atol = 1e-12) {
  const auto g = got.to_vector();
  const auto w = want.at("data").get<std::vector<double>>();
  REQUIRE(g.size() == w.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    CAPTURE(i);
    CHECK(std::fabs(g[i] - w[i]) <= atol + rtol * std::fabs(w[i]));
  }
}

std::unique_ptr<optim::Optimizer> make(const json& c, std::vector<Tensor> params) {
  const std::string kind = c.at("optimizer");
  const json& k = c.at("constructor_kwargs");
  auto get = [&](const char* key, double fallback) { return k.value(key, fallback); };
  const bool maximize = k.value("maximize", false);
  const auto betas = k.value("betas", std::vector<double>{0.9, 0.999});
  if (kind == "SGD") {
    return std::make_unique<optim::SGD>(
        params, optim::SGDOptions{get("lr", 0.01), get("momentum", 0), get("dampening", 0),
                                  get("weight_decay", 0), k.value("nesterov", false), maximize});
  }
  if (kind == "Adagrad") {
    return std::make_unique<optim::Adagrad>(
        params,
        optim::AdagradOptions{get("lr", 1e-2), get("lr_decay", 0), get("weight_decay", 0),
                              get("initial_accumulator_value", 0), get("eps", 1e-10), maximize});
  }
  if (kind == "RMSprop") {
    return std::make_unique<optim::RMSprop>(
        params, optim::RMSpropOptions{get("lr", 1e-2), get("alpha", 0.99), get("eps", 1e-8),
                                      get("weight_decay", 0), get("momentum", 0),
                                      k.value("centered", false), maximize});
  }
  if (kind == "Adam" || kind == "AdamW") {
    const optim::AdamOptions o{get("lr", 1e-3),
                               betas[0],
                               betas[1],
                               get("eps", 1e-8),
                               get("weight_decay", kind == "AdamW" ? 1e-2 : 0.0),
                               k.value("amsgrad", false),
                               maximize};
    if (kind == "AdamW") return std::make_unique<optim::AdamW>(params, o);
    return std::make_unique<optim::Adam>(params, o);
  }
  if (kind == "Adadelta") {
    return std::make_unique<optim::Adadelta>(
        params, optim::AdadeltaOptions{get("lr", 1.0), get("rho", 0.9), get("eps", 1e-6),
                                       get("weight_decay", 0), maximize});
  }
  if (kind == "NAdam") {
    return std::make_unique<optim::NAdam>(
        params, optim::NAdamOptions{get("lr", 2e-3), betas[0], betas[1], get("eps", 1e-8),
                                    get("weight_decay", 0), get("momentum_decay", 4e-3), maximize});
  }
  if (kind == "RAdam") {
    return std::make_unique<optim::RAdam>(
        params, optim::RAdamOptions{get("lr", 1e-3), betas[0], betas[1], get("eps", 1e-8),
                                    get("weight_decay", 0), maximize});
  }
  if (kind == "Adamax") {
    return std::make_unique<optim::Adamax>(
        params, optim::AdamaxOptions{get("lr", 2e-3), betas[0], betas[1], get("eps", 1e-8),
                                     get("weight_decay", 0), maximize});
  }
  if (kind == "SparseAdam") {
    return std::make_unique<optim::SparseAdam>(
        params, optim::SparseAdamOptions{get("lr", 1e-3), betas[0], betas[1], get("eps", 1e-8)});
  }
  FAIL("unknown optimizer " << kind);
  return nullptr;
}

// Replays every configuration of `file` step by step.
void check_trajectories(const std::filesystem::path& file) {
  const json data = json::parse(std::ifstream(file));
  std::size_t configs = 0;
  for (const json& c : data.at("configs")) {
    const std::string name = c.at("name");
    CAPTURE(name);
    const bool sparse = c.at("optimizer") == "SparseAdam";
    std::vector<Tensor> params;
    for (const auto& pname : c.at("param_names")) {
      params.push_back(load(c.at("p0").at(pname.get<std::string>())).requires_grad_());
    }
    auto opt = make(c, params);
    const auto& steps = c.at("params_after_step");
    for (std::size_t k = 0; k < steps.size(); ++k) {
      CAPTURE(k);
      opt->zero_grad();
      for (std::size_t i = 0; i < params.size(); ++i) {
        const std::string pname = c.at("param_names")[i];
        if (sparse) {
          // Replay the sparse gradient through a sparse embedding lookup.
          const json& sg = c.at("sparse_grads")[k];
          const auto rows = sg.at("rows").get<std::vector<std::int64_t>>();
          const Tensor looked_up = embedding(params[i], index_tensor(rows), std::nullopt, true);
          sum(looked_up * load(sg.at("values"))).backward();
        } else {
          params[i].set_grad(load(c.at("grads").at(pname)[k]));
        }
      }
      opt->step();
      for (std::size_t i = 0; i < params.size(); ++i) {
        expect_close(params[i], steps[k].at(c.at("param_names")[i].get<std::string>()));
      }
    }
    ++configs;
  }
  MESSAGE(configs << " optimizer configurations matched in " << file.string());
  CHECK(configs == data.at("configs").size());
}

}  // namespace

TEST_CASE("optim: optimizers follow PyTorch 1.13 step by step (optim.json)") {
  if (!std::filesystem::exists(kDir / "optim.json")) {
    MESSAGE("skipped: no conformance data in " << kDir.string());
    return;
  }
  check_trajectories(kDir / "optim.json");
}

TEST_CASE("optim: NAdam, RAdam, Adamax and maximize follow PyTorch 1.13 (tests/reference)") {
  check_trajectories(kReference / "optim.json");
}

namespace {
// The scheduler a schedules.json entry describes, for `opt`.
std::unique_ptr<optim::Scheduler> make_scheduler(const json& s, optim::Optimizer& opt) {
  const std::string kind = s.at("scheduler");
  const json& k = s.at("constructor_kwargs");
  if (kind == "StepLR")
    return std::make_unique<optim::StepLR>(opt, k.at("step_size"), k.at("gamma"));
  if (kind == "ExponentialLR") return std::make_unique<optim::ExponentialLR>(opt, k.at("gamma"));
  if (kind == "MultiStepLR") {
    return std::make_unique<optim::MultiStepLR>(
        opt, k.at("milestones").get<std::vector<std::int64_t>>(), k.at("gamma"));
  }
  if (kind == "CosineAnnealingLR") {
    return std::make_unique<optim::CosineAnnealingLR>(opt, k.at("T_max"), k.value("eta_min", 0.0));
  }
  if (kind == "LinearLR") {
    return std::make_unique<optim::LinearLR>(opt, k.value("start_factor", 1.0 / 3.0),
                                             k.value("end_factor", 1.0), k.value("total_iters", 5));
  }
  if (kind == "LambdaLR") {  // "0.9^epoch / (1 + epoch % 3)"
    return std::make_unique<optim::LambdaLR>(
        opt, [](std::int64_t e) { return std::pow(0.9, static_cast<double>(e)) / (1 + e % 3); });
  }
  if (kind == "OneCycleLR") {
    optim::OneCycleOptions o;
    o.pct_start = k.value("pct_start", 0.3);
    o.anneal = k.value("anneal_strategy", "cos") == "linear"
                   ? optim::OneCycleOptions::Anneal::linear
                   : optim::OneCycleOptions::Anneal::cos;
    o.div_factor = k.value("div_factor", 25.0);
    o.final_div_factor = k.value("final_div_factor", 1e4);
    o.three_phase = k.value("three_phase", false);
    return std::make_unique<optim::OneCycleLR>(opt, k.at("max_lr"), k.at("total_steps"), o);
  }
  if (kind == "CosineAnnealingWarmRestarts") {
    return std::make_unique<optim::CosineAnnealingWarmRestarts>(
        opt, k.at("T_0"), k.value("T_mult", 1), k.value("eta_min", 0.0));
  }
  if (kind == "SequentialLR") {  // LinearLR(start_factor=0.25, total_iters=3), ExponentialLR(0.8)
    return std::make_unique<optim::SequentialLR>(
        opt,
        std::vector<std::shared_ptr<optim::Scheduler>>{
            std::make_shared<optim::LinearLR>(opt, 0.25, 1.0, 3),
            std::make_shared<optim::ExponentialLR>(opt, 0.8)},
        k.at("milestones").get<std::vector<std::int64_t>>());
  }
  FAIL("unknown scheduler " << kind);
  return nullptr;
}

void check_schedules(const std::filesystem::path& file) {
  const json data = json::parse(std::ifstream(file));
  for (const json& s : data.at("schedulers")) {
    const std::string name = s.at("name");
    CAPTURE(name);
    std::vector<Tensor> params{zeros({1}, DType::float64).requires_grad_()};
    optim::SGD opt(params, {.lr = s.at("base_lr")});
    std::unique_ptr<optim::Scheduler> sched = make_scheduler(s, opt);
    const auto want = s.at("lr").get<std::vector<double>>();
    for (std::size_t e = 0; e < want.size(); ++e) {
      CAPTURE(e);
      CHECK(std::fabs(opt.lr() - want[e]) <= 1e-15 + 1e-12 * std::fabs(want[e]));
      opt.step();
      sched->step();
    }
    // Restoring mid-way continues the same schedule.
    optim::SGD again(params, {.lr = s.at("base_lr")});
    std::unique_ptr<optim::Scheduler> fresh = make_scheduler(s, again);
    optim::SGD original(params, {.lr = s.at("base_lr")});
    std::unique_ptr<optim::Scheduler> first = make_scheduler(s, original);
    for (int e = 0; e < 5; ++e) first->step();
    fresh->load_state_dict(first->state_dict());
    for (std::size_t e = 5; e < want.size(); ++e) {
      CAPTURE(e);
      CHECK(std::fabs(again.lr() - want[e]) <= 1e-15 + 1e-12 * std::fabs(want[e]));
      fresh->step();
    }
  }
}
}  // namespace

TEST_CASE("optim: schedulers follow PyTorch 1.13 (schedulers.json)") {
  if (!std::filesystem::exists(kDir / "schedulers.json")) {
    MESSAGE("skipped: no conformance data in " << kDir.string());
    return;
  }
  check_schedules(kDir / "schedulers.json");
}

TEST_CASE("optim: LambdaLR, OneCycleLR, warm restarts, SequentialLR follow PyTorch 1.13") {
  check_schedules(kReference / "schedulers.json");
}
