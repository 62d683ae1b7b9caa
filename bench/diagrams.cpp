// SPDX-License-Identifier: MIT
// How long diagrams take: DOT text and the Graphviz layout to SVG, for
// graphs of about 1000 nodes (a scalar chain, a tensor graph with module
// clusters) and the MLP training step of docs/diagrams.md. Median (min-max)
// of several runs; the layout is Graphviz's, the DOT text ours.
#include <fmt/format.h>

#include <cstdlib>

#include "bench_util.hpp"
#include "autograd/nn/nn.hpp"

namespace {

void report(const char* name, std::size_t nodes, const std::function<std::string()>& dot,
            int rounds) {
  std::string text;
  const auto build = bench::time_runs(rounds, [&] { text = dot(); });
  const auto layout = bench::time_runs(rounds, [&] { (void)ag::render_svg(text); });
  fmt::print(
      "{:<34} {:>5} nodes: DOT {:.4f} s ({:.4f}-{:.4f}), SVG layout {:.3f} s ({:.3f}-{:.3f})\n",
      name, nodes, build.median, build.min, build.max, layout.median, layout.min, layout.max);
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
  if (!ag::can_render()) {
    fmt::print("diagrams: Graphviz is not available here\n");
    return 0;
  }
  // A chain of 500 scalar ops: 1000 nodes (values and ops).
  ag::Scalar x(0.5, "x");
  ag::Scalar y = x;
  for (int i = 0; i < 500; ++i) y = (i % 2 ? y * 1.01 : y + 0.5);
  report(
      "scalar chain, 500 ops", 1000, [&] { return ag::to_dot(y); }, rounds);

  // A tensor graph of ~1000 nodes inside module clusters: 20 two-layer
  // blocks applied in turn, every op drawn (collapse_depth -1).
  ag::manual_seed(1);
  auto net = std::make_shared<ag::nn::Sequential>();
  for (int b = 0; b < 20; ++b) net->push_back(ag::nn::MLP({16, 16, 16}, "tanh"));
  ag::Tensor h = ag::randn({4, 16}, ag::default_generator());
  for (int r = 0; r < 6; ++r) h = (*net)(h) + h;
  const ag::Tensor loss = ag::sum(h * h);
  const std::size_t nodes = ag::detail::topological_order(loss.node()).size() * 2;
  report(
      "tensor blocks, every op", nodes,
      [&] { return ag::to_dot(loss, ag::DotOptions{.collapse_depth = -1}); }, rounds);
  report(
      "tensor blocks, modules collapsed", nodes, [&] { return ag::to_dot(loss); }, rounds);

  // The docs' 784-512-256-10 training step, collapsed (the default).
  auto mlp = ag::nn::MLP({784, 512, 256, 10}, "relu");
  const ag::Tensor images = ag::randn({32, 784}, ag::default_generator());
  std::vector<std::int64_t> labels(32, 3);
  const ag::Tensor step = ag::nn::cross_entropy((*mlp)(images), ag::index_tensor(labels));
  report(
      "MLP 784-512-256-10 training step", ag::detail::topological_order(step.node()).size() * 2,
      [&] { return ag::to_dot(step); }, rounds);
}
