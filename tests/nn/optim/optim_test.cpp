// SPDX-License-Identifier: MIT
// nn/optim/: what needs no reference file (the PyTorch trajectories are in
// conformance_test.cpp beside this one).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "autograd/nn/nn.hpp"
#include "autograd/nn/optim/update_loop.hpp"

using namespace ag;

TEST_CASE("optim: ReduceLROnPlateau cuts the rate after `patience` epochs without progress") {
  std::vector<Tensor> params{zeros({1}).requires_grad_()};
  optim::SGD opt(params, {.lr = 1.0});
  optim::ReduceLROnPlateau plateau(opt, {.factor = 0.5, .patience = 2});
  for (double loss : {1.0, 0.9, 0.9, 0.9}) plateau.step(loss);
  CHECK(opt.lr() == 1.0);
  plateau.step(0.9);  // third bad epoch > patience
  CHECK(opt.lr() == 0.5);
  plateau.step(0.5);
  CHECK(opt.lr() == 0.5);
}

TEST_CASE("optim: parameter groups keep their own hyper-parameters") {
  Tensor a = ones({2}, DType::float64).requires_grad_(),
         b = ones({2}, DType::float64).requires_grad_();
  optim::SGD opt({a}, {.lr = 0.1});
  opt.add_param_group({b}, {.lr = 1.0});
  sum(a + b).backward();
  opt.step();
  CHECK(a.at({0}) == doctest::Approx(0.9));
  CHECK(b.at({0}) == doctest::Approx(0.0));
  opt.set_lr(0.5);
  CHECK(opt.lr(1) == 0.5);
}

TEST_CASE("optim: SparseAdam refuses dense gradients; dense optimizers refuse sparse ones") {
  Tensor w = ones({4, 2}, DType::float64).requires_grad_();
  optim::SparseAdam sparse({w});
  sum(w * 2.0).backward();
  CHECK_THROWS_AS(sparse.step(), ValueError);
  CHECK_THROWS_WITH(sparse.step(), doctest::Contains("dense gradient"));
  w.zero_grad();
  sum(embedding(w, index_tensor({1}), std::nullopt, true)).backward();
  optim::Adam adam({w});
  CHECK_THROWS_AS(adam.step(), ValueError);
  sparse.step();  // fine
}

TEST_CASE("optim: optimizer state round-trips and rejects a mismatch without change") {
  Tensor w = Tensor::from({1.0, 2.0}).requires_grad_();
  optim::Adam opt({w}, {.lr = 0.1});
  for (int i = 0; i < 3; ++i) {
    opt.zero_grad();
    sum(w * w).backward();
    opt.step();
  }
  const optim::StateDict state = opt.state_dict();
  Tensor w2 = w.detach().requires_grad_();
  optim::Adam restored({w2}, {.lr = 0.1});
  restored.load_state_dict(state);
  opt.zero_grad();
  sum(w * w).backward();
  opt.step();
  restored.zero_grad();
  sum(w2 * w2).backward();
  restored.step();
  CHECK(w.to_vector() == w2.to_vector());
  optim::StateDict bad = state;
  bad.back().second = zeros({3}, DType::float64);
  const optim::StateDict before = restored.state_dict();
  CHECK_THROWS_AS(restored.load_state_dict(bad), ValueError);
  const optim::StateDict after = restored.state_dict();
  REQUIRE(after.size() == before.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    CHECK(after[i].second.to_vector() == before[i].second.to_vector());
  }
}

TEST_CASE("optim: gradient clipping by norm and by value") {
  Tensor a = Tensor::from({3.0, 0.0}).requires_grad_(), b = Tensor::from({4.0}).requires_grad_();
  sum(a * Tensor::from({3.0, 0.0})).backward();
  sum(b * 4.0).backward();
  const double norm = optim::clip_grad_norm_({a, b}, 1.0);
  CHECK(norm == doctest::Approx(5.0));
  CHECK(a.grad().at({0}) == doctest::Approx(0.6).epsilon(1e-6));
  CHECK(b.grad().at({0}) == doctest::Approx(0.8).epsilon(1e-6));
  optim::clip_grad_value_({a, b}, 0.7);
  CHECK(b.grad().at({0}) == doctest::Approx(0.7));
}

TEST_CASE("optim: settings out of range, NaN or infinite are refused, at once and when set") {
  const Tensor p = zeros({2}).requires_grad_();
  const double nan = std::nan(""), inf = INFINITY;
  for (double lr : {-0.5, nan, inf}) {
    CAPTURE(lr);
    CHECK_THROWS_AS(optim::SGD({p}, {.lr = lr}), ValueError);
    CHECK_THROWS_AS(optim::Adam({p}, {.lr = lr}), ValueError);
    CHECK_THROWS_AS(optim::AdamW({p}, {.lr = lr}), ValueError);
    CHECK_THROWS_AS(optim::RMSprop({p}, {.lr = lr}), ValueError);
    CHECK_THROWS_AS(optim::Adagrad({p}, {.lr = lr}), ValueError);
    CHECK_THROWS_AS(optim::Adadelta({p}, {.lr = lr}), ValueError);
    CHECK_THROWS_AS(optim::SparseAdam({p}, {.lr = lr}), ValueError);
  }
  CHECK_THROWS_WITH(optim::Adam({p}, {.eps = -1e-8}),
                    "Adam: eps = -1e-08 is not a finite number >= 0");
  CHECK_THROWS_AS(optim::Adam({p}, {.eps = nan}), ValueError);
  for (double beta : {-0.1, 1.0, 1.5, nan}) {
    CAPTURE(beta);
    CHECK_THROWS_AS(optim::Adam({p}, {.beta1 = beta}), ValueError);
    CHECK_THROWS_AS(optim::Adam({p}, {.beta2 = beta}), ValueError);
    CHECK_THROWS_AS(optim::SparseAdam({p}, {.beta2 = beta}), ValueError);
  }
  CHECK_THROWS_AS(optim::SGD({p}, {.lr = 0.1, .momentum = -0.9}), ValueError);
  CHECK_THROWS_AS(optim::SGD({p}, {.lr = 0.1, .weight_decay = nan}), ValueError);
  CHECK_THROWS_AS(optim::RMSprop({p}, {.alpha = -1}), ValueError);
  CHECK_THROWS_AS(optim::Adagrad({p}, {.lr_decay = -1}), ValueError);
  CHECK_THROWS_AS(optim::Adadelta({p}, {.rho = 1.5}), ValueError);
  // Set later: by set_lr, a scheduler, or the mutable options().
  optim::Adam adam({p}, {.lr = 0.1});
  CHECK_THROWS_AS(adam.set_lr(nan), ValueError);
  CHECK(adam.lr() == 0.1);
  CHECK_THROWS_AS(optim::ExponentialLR(adam, nan), ValueError);
  CHECK_THROWS_AS(optim::StepLR(adam, 2, -1.0), ValueError);
  CHECK_THROWS_AS(optim::LinearLR(adam, nan), ValueError);
  CHECK_THROWS_AS(optim::ReduceLROnPlateau(adam, {.factor = nan}), ValueError);
  adam.options().beta2 = 1.0;
  Tensor(p).set_grad(ones({2}));
  CHECK_THROWS_AS(adam.step(), ValueError);
  CHECK(p.to_vector() == std::vector<double>{0, 0});  // nothing moved
}

TEST_CASE("optim: a huge CosineAnnealingLR period does not overflow") {
  const Tensor p = zeros({1}).requires_grad_();
  optim::SGD sgd({p}, {.lr = 0.1});
  optim::CosineAnnealingLR schedule(sgd, std::numeric_limits<std::int64_t>::max());
  for (int i = 0; i < 3; ++i) schedule.step();
  CHECK(sgd.lr() == doctest::Approx(0.1));
}

TEST_CASE("optim: a step writes the parameters in place, so an older graph refuses backward") {
  const Tensor w = Tensor::from({1.0, 2.0}).requires_grad_();
  optim::SGD sgd({w}, {.lr = 0.1});
  const Tensor loss = sum(w * w);
  Tensor(w).set_grad(ones({2}, DType::float64));
  sgd.step();
  CHECK(w.version() == 1);
  CHECK_THROWS_AS(loss.backward(), GraphError);
}

namespace {
// Three steps of `make`'s optimizer on 200,003 elements (parts of ~67k at
// three threads, a vector tail in the last) at `threads` threads, the update
// loops in their widest copy or (`baseline`) as built.
template <class Make>
Tensor train_split(int threads, bool baseline, DType dtype, Make make) {
  set_num_threads(threads);
  optim::detail::baseline_width_only = baseline;
  Generator gen(17);
  Tensor w = randn({200003}, gen, dtype).requires_grad_();
  const Tensor target = randn({200003}, gen, dtype);
  auto opt = make(w);
  for (int step = 0; step < 3; ++step) {
    opt.zero_grad();
    sum((w - target) * (w - target)).backward();
    opt.step();
  }
  optim::detail::baseline_width_only = false;
  return w.detach().contiguous();
}

bool same_bits(const Tensor& a, const Tensor& b) {
  const std::size_t n = static_cast<std::size_t>(a.numel());
  return a.dtype() == DType::float32
             ? std::memcmp(a.data<float>(), b.data<float>(), n * sizeof(float)) == 0
             : std::memcmp(a.data<double>(), b.data<double>(), n * sizeof(double)) == 0;
}
}  // namespace

TEST_CASE("optim: every dense update gives the same bits split over threads and as built") {
  // Options that touch every state buffer (momentum, centered, amsgrad, decay).
#if defined(__x86_64__) && defined(__GNUC__)
  if (!optim::detail::cpu_has_avx512()) MESSAGE("no AVX-512 here: the builds compared are one");
#endif
  const int before = get_num_threads();
  for (const DType dtype : {DType::float32, DType::float64}) {
    CAPTURE(dtype);
    const auto check = [&](const std::string& name, auto make) {
      CAPTURE(name);
      const Tensor one = train_split(1, false, dtype, make);
      CHECK(same_bits(one, train_split(3, false, dtype, make)));
      CHECK(same_bits(one, train_split(1, true, dtype, make)));
    };
    for (const bool amsgrad : {false, true}) {
      check(amsgrad ? "AdamW amsgrad" : "AdamW", [&](Tensor& w) {
        return optim::AdamW({w}, {.lr = 0.01, .weight_decay = 0.1, .amsgrad = amsgrad});
      });
    }
    check("SGD nesterov", [](Tensor& w) {
      return optim::SGD({w}, {.lr = 0.01, .momentum = 0.9, .weight_decay = 0.1, .nesterov = true});
    });
    check("RMSprop centered", [](Tensor& w) {
      return optim::RMSprop({w},
                            {.lr = 0.01, .weight_decay = 0.1, .momentum = 0.5, .centered = true});
    });
    check("Adagrad", [](Tensor& w) {
      return optim::Adagrad({w}, {.lr = 0.1, .lr_decay = 0.01, .weight_decay = 0.1});
    });
    check("Adadelta", [](Tensor& w) { return optim::Adadelta({w}, {.weight_decay = 0.1}); });
    check("NAdam", [](Tensor& w) { return optim::NAdam({w}, {.lr = 0.01, .weight_decay = 0.1}); });
    check("RAdam", [](Tensor& w) { return optim::RAdam({w}, {.lr = 0.01, .weight_decay = 0.1}); });
    check("Adamax",
          [](Tensor& w) { return optim::Adamax({w}, {.lr = 0.01, .weight_decay = 0.1}); });
  }
  set_num_threads(before);
}

TEST_CASE("optim: a refused OneCycleLR leaves the optimizer's lr as it was (issue #38)") {
  Tensor w = zeros({2}).requires_grad_();
  optim::SGD opt({w}, {.lr = 0.5});
  CHECK_THROWS_AS(optim::OneCycleLR(opt, 0.4, 0), ValueError);
  CHECK(opt.lr() == 0.5);
  CHECK_THROWS_WITH(optim::OneCycleLR(opt, NAN, 10), doctest::Contains("OneCycleLR: max_lr = nan"));
  CHECK(opt.lr() == 0.5);
  optim::OneCycleLR ok(opt, 0.4, 10);
  CHECK(opt.lr() == doctest::Approx(0.4 / 25));
}

TEST_CASE("optim: one optimizer's state does not load into another (issue #38)") {
  Tensor a = ones({3}).requires_grad_(), b = ones({2}).requires_grad_();
  optim::Adagrad adagrad({a}, {});
  sum(a * a).backward();
  adagrad.step();
  optim::Adam adam({a}, {});
  CHECK_THROWS_WITH(adam.load_state_dict(adagrad.state_dict()),
                    doctest::Contains("'0.0.sum' is not state of this optimizer, which keeps "
                                      "exp_avg, exp_avg_sq, max_exp_avg_sq"));
  // One parameter's state into a two-parameter RMSprop.
  optim::RMSprop one({a}, {}), two({a, b}, {});
  one.step();
  CHECK_THROWS_WITH(two.load_state_dict(one.state_dict()),
                    doctest::Contains("no state for parameter 0.1"));
  // Its own kind loads.
  optim::Adam other({a}, {});
  adam.step();
  other.load_state_dict(adam.state_dict());
  CHECK(other.state_dict().size() == adam.state_dict().size());
}
