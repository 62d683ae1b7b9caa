// SPDX-License-Identifier: MIT
// Graphviz export: structure always; rendering when Graphviz is present.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "autograd/autograd.hpp"

using ag::Scalar;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

Scalar small_graph() {
  Scalar a(2.0, "a"), b(-3.0, "b");
  Scalar e = (a * b).label("e");
  return (e + 10.0).tanh().label("out");
}

}  // namespace

TEST_CASE("one record per value, one ellipse per op, edges in data-flow order") {
  Scalar out = small_graph();
  out.backward();
  const std::string dot = ag::to_dot(out, ag::DotOptions{.legend = false});
  CHECK(dot.rfind("digraph autograd {", 0) == 0);
  CHECK(dot.back() == '\n');
  CHECK(dot[dot.size() - 2] == '}');
  CHECK(dot.find("rankdir=TB") != std::string::npos);  // deeper (4 levels) than wide (2)
  CHECK(count(dot, "shape=record") == 5);   // a, b, e, e+10, out
  CHECK(count(dot, "shape=ellipse") == 3);  // *, + 10, tanh
  CHECK(count(dot, "->") == 7);             // 2 into *, 1 into +, 1 into tanh, 3 outputs
  CHECK(count(dot, "{") == count(dot, "}"));
  // values and gradients in the records
  CHECK(dot.find("{ a | data 2.0000|grad ") != std::string::npos);
  CHECK(dot.find("{ out | data ") != std::string::npos);
  CHECK(dot.find("label=\"+ 10\"") != std::string::npos);
  CHECK(dot.find("label=\"tanh\"") != std::string::npos);
  // inputs come first: a and b are v0 and v1 and flow into the first op
  CHECK(dot.find("v0 -> op2;") != std::string::npos);
  CHECK(dot.find("v1 -> op2;") != std::string::npos);
  CHECK(dot.find("op2 -> v2;") != std::string::npos);
}

TEST_CASE("the same graph gives the same text") {
  CHECK(ag::to_dot(small_graph()) == ag::to_dot(small_graph()));
}

TEST_CASE("labels that look like DOT syntax are escaped") {
  Scalar x(1.0, "x{1}|<p>\"q\"");
  const std::string dot = ag::to_dot(x);
  CHECK(dot.find("x\\{1\\}\\|\\<p\\>\\\"q\\\"") != std::string::npos);
}

TEST_CASE("render refuses an unknown format") {
  CHECK_THROWS_AS(ag::render(small_graph(), "graph.pdf"), ag::ValueError);
  CHECK_THROWS_WITH(ag::render(small_graph(), "graph.pdf"),
                    doctest::Contains("use a .svg or .png path"));
}

TEST_CASE("render writes SVG and PNG when Graphviz is available") {
  if (!ag::can_render()) {
    MESSAGE("skipped: Graphviz is not available (no libgvc, no dot on PATH)");
    return;
  }
  const auto dir = std::filesystem::temp_directory_path() / "autograd-dot-test";
  std::filesystem::create_directories(dir);
  const auto svg = (dir / "g.svg").string(), png = (dir / "g.png").string();
  Scalar out = small_graph();
  out.backward();
  ag::render(out, svg);
  ag::render(out, png);
  std::ifstream svg_file(svg);
  const std::string text{std::istreambuf_iterator<char>(svg_file), {}};
  CHECK(text.find("<svg") != std::string::npos);
  CHECK(text.find("tanh") != std::string::npos);
  std::ifstream png_file(png, std::ios::binary);
  std::string magic(8, '\0');
  png_file.read(magic.data(), 8);
  CHECK(magic == "\x89PNG\r\n\x1a\n");
  CHECK_THROWS_AS(ag::render(out, (dir / "missing-dir" / "g.svg").string()), ag::RenderError);
  std::filesystem::remove_all(dir);
}

TEST_CASE("the legend explains every colour; the direction can be chosen") {
  const std::string dot = ag::to_dot(small_graph());
  for (const char* entry : {"output", "parameter (takes a gradient)", "constant (no gradient)",
                            "intermediate value", "label=\"op\""}) {
    CHECK(dot.find(entry) != std::string::npos);
  }
  CHECK(ag::to_dot(small_graph(), {.direction = ag::DotOptions::Direction::left_to_right})
            .find("rankdir=LR") != std::string::npos);
  // a wide, shallow graph lies left to right by itself
  ag::Scalar total = 0.0;
  for (int i = 0; i < 12; ++i) total = total + ag::Scalar(i);
  CHECK(ag::to_dot(total * 2.0).find("rankdir=TB") != std::string::npos);
}

TEST_CASE("operands are named where order matters") {
  Scalar a(3.0, "a"), b(2.0, "b");
  const std::string dot = ag::to_dot((a - b) / (b - a), ag::DotOptions{.legend = false});
  CHECK(dot.find("label=\"a\"") != std::string::npos);
  CHECK(dot.find("label=\"b\"") != std::string::npos);
  CHECK(count(dot, "label=\"a\"") == 3);  // a of both subtractions and of the division
}

TEST_CASE("tensor graphs show dtype and shape, and values when small") {
  using namespace ag;
  const Tensor w = Tensor::from({{0.5, -1.0}, {2.0, 0.25}}).requires_grad_().label("W");
  const Tensor x = Tensor::from({{1.0}, {2.0}}).label("x");
  Tensor h = tanh(matmul(w, x)).label("h");
  Tensor loss = sum(h * h).label("loss");
  loss.backward(Tensor(), /*retain_graph=*/true);
  const std::string dot = to_dot(loss);
  CHECK(dot.find("{ W | float64 [2, 2]|data 0.5 -1 2 0.25|grad ") != std::string::npos);
  CHECK(dot.find("fillcolor=\"#f3f4f6\", label=\"{ x | float64 [2, 1]|data 1 2 }") !=
        std::string::npos);           // data: grey
  CHECK(dot.find("fillcolor=\"#dbeafe\", label=\"{ W |") != std::string::npos);  // blue
  CHECK(count(dot, "reshape") == 0);  // 2-D matmul records one node
  CHECK(dot.find("label=\"@\"") != std::string::npos);
  CHECK(dot.find("label=\"tanh\"") != std::string::npos);
  CHECK(dot.find("{ loss | float64 []|data ") != std::string::npos);
  CHECK(count(dot, "{") == count(dot, "}"));
  Scalar s = loss.to_scalar() * 2.0;  // mixed graphs draw both kinds
  CHECK(to_dot(s).find("float64 [2, 2]") != std::string::npos);
}

TEST_CASE("a graph freed by backward is an error, not a single box") {
  using namespace ag;
  const Tensor w = Tensor::from({1.0, 2.0}).requires_grad_();
  const Tensor loss = sum(exp(w) * w).label("loss");
  loss.backward();
  CHECK_THROWS_AS(to_dot(loss), GraphError);
  CHECK_THROWS_WITH(to_dot(loss), doctest::Contains("draw it before backward()"));
  const Tensor kept = sum(exp(w) * w);
  retain_grads(kept);
  kept.backward(Tensor(), /*retain_graph=*/true);
  const std::string dot = to_dot(kept);  // values and every gradient
  CHECK(count(dot, "|grad ") == 4);      // w, exp, mul and sum: all of them
}

TEST_CASE("large tensors show a gradient summary; linear is drawn as linear") {
  using namespace ag;
  manual_seed(3);
  const Tensor x = randn({8, 3}, default_generator()).label("x");
  const Tensor w = randn({4, 3}, default_generator()).requires_grad_().label("W");
  const Tensor b = zeros({4}).requires_grad_().label("b");
  const Tensor loss = sum(linear(x, w, b));
  loss.backward(Tensor(), true);
  const std::string dot = to_dot(loss);
  CHECK(dot.find("label=\"linear\"") != std::string::npos);
  CHECK(dot.find("weight [4, 3]") != std::string::npos);  // the weight's own shape
  CHECK(dot.find("input [8, 3]") != std::string::npos);
  CHECK(dot.find("bias [4]") != std::string::npos);
  CHECK(dot.find("{ W | float32 [4, 3]|data norm ") != std::string::npos);
  CHECK(dot.find("|grad norm ") != std::string::npos);
  CHECK(dot.find("min ") != std::string::npos);
}
