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
  const std::string dot = ag::to_dot(out);
  CHECK(dot.rfind("digraph autograd {", 0) == 0);
  CHECK(dot.back() == '\n');
  CHECK(dot[dot.size() - 2] == '}');
  CHECK(dot.find("rankdir=LR") != std::string::npos);
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
  CHECK(count(dot, "reshape") == 0);  // 2-D matmul records one node
  CHECK(dot.find("label=\"@\"") != std::string::npos);
  CHECK(dot.find("label=\"tanh\"") != std::string::npos);
  CHECK(dot.find("{ loss | float64 []|data ") != std::string::npos);
  CHECK(count(dot, "{") == count(dot, "}"));
  Scalar s = loss.to_scalar() * 2.0;  // mixed graphs draw both kinds
  CHECK(to_dot(s).find("float64 [2, 2]") != std::string::npos);
}
