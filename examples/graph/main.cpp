// SPDX-License-Identifier: MIT
// The diagrams of docs/diagrams.md, drawn by the library: the lecture's
// 2-2-1 network after backward (scalar nodes), and a training step of a
// 784-512-256-10 MLP (tensor nodes) with its modules collapsed into boxes
// (the default) and opened up. Usage: graph [OUTPUT_DIR]  (default docs/images)
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "lecture.hpp"
#include "autograd/nn/nn.hpp"

namespace {

void write(const std::filesystem::path& dir, const std::string& name, const std::string& dot) {
  std::ofstream(dir / (name + ".dot")) << dot;
  if (ag::can_render()) {
    ag::render_dot(dot, (dir / (name + ".svg")).string());
    fmt::print("wrote {}.dot and {}.svg\n", (dir / name).string(), (dir / name).string());
  } else {
    fmt::print("wrote {}.dot (no Graphviz here to render the SVG)\n", (dir / name).string());
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir = argc > 1 ? argv[1] : "docs/images";
  std::filesystem::create_directories(dir);

  // (a) the 2-2-1 network with the lecture's numbers. A scalar graph keeps
  // its nodes after backward, so the diagram shows every gradient.
  lecture::Net221 net({{{0.1, 0.2}, {0.3, 0.4}}}, {0.5, 0.6});
  auto pass = lecture::forward(net, {1.0, 0.5}, 1.0);
  pass.L.backward();
  write(dir, "graph_221", ag::to_dot(pass.L));

  // (b) one training step of a 784-512-256-10 MLP on a batch of 32. A tensor
  // graph is freed by backward unless retained: keep it, and every interior
  // gradient, to draw it after.
  ag::manual_seed(0);
  auto mlp = ag::nn::MLP({784, 512, 256, 10}, "relu");
  const ag::Tensor x = ag::randn({32, 784}, ag::default_generator()).label("images");
  std::vector<std::int64_t> labels(32);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int64_t>(i % 10);
  const ag::Tensor loss = ag::nn::cross_entropy((*mlp)(x), ag::index_tensor(labels)).label("loss");
  ag::retain_grads(loss);
  loss.backward(ag::Tensor(), /*retain_graph=*/true);
  write(dir, "graph_mlp", ag::to_dot(loss));  // modules collapsed: one box each
  write(dir, "graph_mlp_expanded", ag::to_dot(loss, ag::DotOptions{.collapse_depth = -1}));
}
