// SPDX-License-Identifier: MIT
// Every options struct's defaults are PyTorch 1.13's (tests/reference/
// defaults.json, read off PyTorch's signatures by make_defaults.py), whether
// or not other fields are given: AdamW(params, {.lr = 0.1}) keeps weight
// decay 0.01, as torch.optim.AdamW(lr=0.1) does.
#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "autograd/nn/nn.hpp"

using namespace ag;
using json = nlohmann::json;

namespace {
const json& reference() {
  static const json data = [] {
    std::ifstream in(AG_REFERENCE_DIR "/defaults.json");
    return json::parse(in);
  }();
  return data;
}

// A field's value as PyTorch's JSON has it (numbers and bools; enums as
// their PyTorch names).
using Fields = std::map<std::string, json>;

// Checks every field PyTorch has against `ours`, and that ours has no
// setting PyTorch lacks a default for among `names`.
void same_defaults(const std::string& what, const json& theirs, const Fields& ours) {
  CAPTURE(what);
  for (const auto& [name, value] : theirs.items()) {
    CAPTURE(name);
    REQUIRE(ours.count(name) == 1);  // a setting PyTorch has and we lack
    const json& mine = ours.at(name);
    if (value.is_null()) {
      CHECK(mine == false);  // DataLoader's shuffle=None: no shuffling
    } else if (value.is_number()) {
      CHECK(mine.get<double>() == value.get<double>());
    } else {
      CHECK(mine == value);
    }
  }
}

template <class O>
Fields adam_like(const O& o) {
  Fields f{{"lr", o.lr}, {"beta1", o.beta1}, {"beta2", o.beta2}, {"eps", o.eps}};
  if constexpr (requires { o.weight_decay; }) f["weight_decay"] = o.weight_decay;
  if constexpr (requires { o.maximize; }) f["maximize"] = o.maximize;
  if constexpr (requires { o.amsgrad; }) f["amsgrad"] = o.amsgrad;
  if constexpr (requires { o.momentum_decay; }) f["momentum_decay"] = o.momentum_decay;
  return f;
}
}  // namespace

TEST_CASE("defaults: every optimizer's, given nothing and given another field") {
  const json& theirs = reference().at("optimizers");
  Tensor w = zeros({2}).requires_grad_();
  // Each optimizer twice: default options, and only one other field set
  // (lr, or eps where lr is the one checked), as a port writes them.
  {
    optim::SGD a({w}, {}), b({w}, {.lr = 0.5});
    for (auto* opt : {&a, &b}) {
      const auto o = opt->options();
      same_defaults("SGD", theirs.at("SGD"),
                    {{"momentum", o.momentum},
                     {"dampening", o.dampening},
                     {"weight_decay", o.weight_decay},
                     {"nesterov", o.nesterov},
                     {"maximize", o.maximize}});
    }
  }
  {
    optim::RMSprop a({w}), b({w}, {.eps = 1e-3});
    const auto check = [&](const optim::RMSpropOptions& o, bool eps_set) {
      Fields f{{"lr", o.lr},
               {"alpha", o.alpha},
               {"eps", eps_set ? 1e-8 : o.eps},
               {"weight_decay", o.weight_decay},
               {"momentum", o.momentum},
               {"centered", o.centered},
               {"maximize", o.maximize}};
      same_defaults("RMSprop", theirs.at("RMSprop"), f);
    };
    check(a.options(), false);
    check(b.options(), true);
  }
  const auto two = [&](const char* name, auto make) {
    auto a = make(false), b = make(true);
    Fields fa = adam_like(a->options()), fb = adam_like(b->options());
    fb["lr"] = fa["lr"];  // b set lr itself
    same_defaults(std::string(name) + " (default)", theirs.at(name), fa);
    same_defaults(std::string(name) + " ({.lr = 0.5})", theirs.at(name), fb);
  };
  two("Adam", [&](bool lr) {
    return lr ? std::make_unique<optim::Adam>(std::vector<Tensor>{w}, optim::AdamOptions{.lr = 0.5})
              : std::make_unique<optim::Adam>(std::vector<Tensor>{w});
  });
  two("AdamW", [&](bool lr) {
    return lr ? std::make_unique<optim::AdamW>(std::vector<Tensor>{w},
                                               optim::AdamWOptions{.lr = 0.5})
              : std::make_unique<optim::AdamW>(std::vector<Tensor>{w});
  });
  two("NAdam", [&](bool lr) {
    return lr ? std::make_unique<optim::NAdam>(std::vector<Tensor>{w},
                                               optim::NAdamOptions{.lr = 0.5})
              : std::make_unique<optim::NAdam>(std::vector<Tensor>{w});
  });
  two("RAdam", [&](bool lr) {
    return lr ? std::make_unique<optim::RAdam>(std::vector<Tensor>{w},
                                               optim::RAdamOptions{.lr = 0.5})
              : std::make_unique<optim::RAdam>(std::vector<Tensor>{w});
  });
  two("Adamax", [&](bool lr) {
    return lr ? std::make_unique<optim::Adamax>(std::vector<Tensor>{w},
                                                optim::AdamaxOptions{.lr = 0.5})
              : std::make_unique<optim::Adamax>(std::vector<Tensor>{w});
  });
  two("SparseAdam", [&](bool lr) {
    return lr ? std::make_unique<optim::SparseAdam>(std::vector<Tensor>{w},
                                                    optim::SparseAdamOptions{.lr = 0.5})
              : std::make_unique<optim::SparseAdam>(std::vector<Tensor>{w});
  });
  {
    optim::Adagrad a({w}), b({w}, {.lr = 0.5});
    for (auto* opt : {&a, &b}) {
      const auto o = opt->options();
      same_defaults("Adagrad", theirs.at("Adagrad"),
                    {{"lr", opt == &a ? o.lr : 0.01},
                     {"lr_decay", o.lr_decay},
                     {"weight_decay", o.weight_decay},
                     {"initial_accumulator_value", o.initial_accumulator_value},
                     {"eps", o.eps},
                     {"maximize", o.maximize}});
    }
  }
  {
    optim::Adadelta a({w}), b({w}, {.lr = 0.5});
    for (auto* opt : {&a, &b}) {
      const auto o = opt->options();
      same_defaults("Adadelta", theirs.at("Adadelta"),
                    {{"lr", opt == &a ? o.lr : 1.0},
                     {"rho", o.rho},
                     {"eps", o.eps},
                     {"weight_decay", o.weight_decay},
                     {"maximize", o.maximize}});
    }
  }
}

TEST_CASE("defaults: schedules, recurrent layers, the DataLoader and cross_entropy") {
  const json& ref = reference();
  for (const optim::OneCycleOptions& o : {optim::OneCycleOptions{}, {.div_factor = 10}}) {
    same_defaults(
        "OneCycleLR", ref.at("schedules").at("OneCycleLR"),
        {{"pct_start", o.pct_start},
         {"anneal_strategy", o.anneal == optim::OneCycleOptions::Anneal::cos ? "cos" : "linear"},
         {"div_factor", o.div_factor == 10 ? 25.0 : o.div_factor},
         {"final_div_factor", o.final_div_factor},
         {"three_phase", o.three_phase}});
  }
  for (const optim::PlateauOptions& o : {optim::PlateauOptions{}, {.patience = 3}}) {
    same_defaults("ReduceLROnPlateau", ref.at("schedules").at("ReduceLROnPlateau"),
                  {{"mode", o.mode == optim::PlateauOptions::Mode::min ? "min" : "max"},
                   {"factor", o.factor},
                   {"patience", o.patience == 3 ? 10 : o.patience},
                   {"threshold", o.threshold},
                   {"cooldown", o.cooldown},
                   {"min_lr", o.min_lr},
                   {"eps", o.eps}});
  }
  for (const nn::RecurrentOptions& o : {nn::RecurrentOptions{}, {.num_layers = 2}}) {
    same_defaults("RNN", ref.at("layers").at("RNN"),
                  {{"num_layers", o.num_layers == 2 ? 1 : o.num_layers},
                   {"bias", o.bias},
                   {"batch_first", o.batch_first},
                   {"dropout", o.dropout},
                   {"bidirectional", o.bidirectional}});
  }
  for (const nn::DataLoaderOptions& o : {nn::DataLoaderOptions{}, {.drop_last = false}}) {
    same_defaults("DataLoader", ref.at("layers").at("DataLoader"),
                  {{"shuffle", o.shuffle}, {"drop_last", o.drop_last}});
  }
  for (const nn::CrossEntropyOptions& o : {nn::CrossEntropyOptions{}, {.label_smoothing = 0.1}}) {
    same_defaults("cross_entropy", ref.at("losses").at("cross_entropy"),
                  {{"ignore_index", o.ignore_index},
                   {"reduction", o.reduction == nn::Reduction::mean ? "mean" : "other"},
                   {"label_smoothing", o.label_smoothing == 0.1 ? 0.0 : o.label_smoothing}});
  }
}
