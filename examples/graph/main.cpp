// Diagrams of two graphs: the lecture's 2-2-1 network's loss (scalar
// nodes), and a two-layer tensor MLP's loss with shapes on the edges.
// Usage: graph [OUTPUT_DIR]   (default: docs/images)
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "lecture.hpp"
#include "nn/nn.hpp"

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

  // (a) the 2-2-1 network with the lecture's numbers, after backward
  lecture::Net221 net({{{0.1, 0.2}, {0.3, 0.4}}}, {0.5, 0.6});
  auto pass = lecture::forward(net, {1.0, 0.5}, 1.0);
  pass.L.backward();
  write(dir, "graph_221", ag::to_dot(pass.L));

  // (b) a two-layer MLP on a batch of 4: shapes ride on the edges
  ag::manual_seed(0);
  ag::nn::Linear fc1(3, 5), fc2(5, 2);
  fc1.weight.label("fc1.weight");
  fc1.bias.label("fc1.bias");
  fc2.weight.label("fc2.weight");
  fc2.bias.label("fc2.bias");
  ag::Tensor x = ag::randn({4, 3}, ag::default_generator()).label("x");
  ag::Tensor hidden = ag::relu(fc1(x)).label("hidden");
  ag::Tensor loss =
      ag::nn::cross_entropy(fc2(hidden), ag::index_tensor({0, 1, 1, 0})).label("loss");
  write(dir, "graph_mlp", ag::to_dot(loss));
}
