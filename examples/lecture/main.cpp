// SPDX-License-Identifier: MIT
// `lecture`: the worked examples of the feedforward-networks lecture, step by
// step, each number computed by the engine and set beside the slides' closed
// forms. Run with --help for the flags that change the 2-2-1 example.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "lecture.hpp"

namespace {
// A flag the demo cannot use: a ValueError, printed by main.
template <class... Args>
[[noreturn]] void bad_flag(fmt::format_string<Args...> format, Args&&... args) {
  throw ag::ValueError(fmt::format(format, std::forward<Args>(args)...));
}
}  // namespace

namespace {

struct Options {
  lecture::Mat2 W{{{0.1, 0.2}, {0.3, 0.4}}};
  lecture::Vec2 u{0.5, 0.6};
  lecture::Vec2 x{1.0, 0.5};
  double y = 1.0;
  double lr = 0.1;
  int steps = 5;
  std::string out = ".";
};

constexpr const char* kUsage = R"(usage: lecture [flags]
  --W w11,w12,w21,w22   hidden weights (default 0.1,0.2,0.3,0.4)
  --u u1,u2             output weights (default 0.5,0.6)
  --x x1,x2             input (default 1.0,0.5)
  --y Y                 label in [0, 1] (default 1)
  --lr ETA              learning rate (default 0.1)
  --steps N             SGD steps to show (default 5)
  --out DIR             where lecture221.dot/.svg/.html go (default .)
)";

std::vector<double> parse_numbers(const std::string& flag, const std::string& text, size_t count) {
  std::vector<double> values;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    char* end = nullptr;
    const double value = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0' || !std::isfinite(value)) {
      bad_flag("{}: '{}' is not a number", flag, item);
    }
    values.push_back(value);
    start = comma + 1;
  }
  if (values.size() != count) {
    bad_flag("{}: expected {} comma-separated numbers, got {} in '{}'", flag, count, values.size(),
             text);
  }
  return values;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int k = 1; k < argc; ++k) {
    const std::string flag = argv[k];
    if (flag == "--help" || flag == "-h") {
      fmt::print("{}", kUsage);
      std::exit(0);
    }
    if (k + 1 >= argc) bad_flag("{}: missing value\n{}", flag, kUsage);
    const std::string value = argv[++k];
    if (flag == "--W") {
      const auto w = parse_numbers(flag, value, 4);
      o.W = {{{w[0], w[1]}, {w[2], w[3]}}};
    } else if (flag == "--u") {
      const auto u = parse_numbers(flag, value, 2);
      o.u = {u[0], u[1]};
    } else if (flag == "--x") {
      const auto x = parse_numbers(flag, value, 2);
      o.x = {x[0], x[1]};
    } else if (flag == "--y") {
      o.y = parse_numbers(flag, value, 1)[0];
      if (o.y < 0.0 || o.y > 1.0) bad_flag("--y: {} is not in [0, 1]", o.y);
    } else if (flag == "--lr") {
      o.lr = parse_numbers(flag, value, 1)[0];
    } else if (flag == "--steps") {
      const double steps = parse_numbers(flag, value, 1)[0];
      if (steps < 0 || steps > 1e6 || steps != std::floor(steps)) {
        bad_flag("--steps: {} is not a whole number in [0, 1e6]", value);
      }
      o.steps = static_cast<int>(steps);
    } else if (flag == "--out") {
      o.out = value;
    } else {
      bad_flag("unknown flag '{}'\n{}", flag, kUsage);
    }
  }
  return o;
}

void show_single_unit() {
  fmt::print("1. A single unit\n");
  const std::vector<double> x{0.5, 0.6, 0.1}, w{0.2, 0.3, 0.9};
  const double b = 0.5;
  const auto unit = lecture::single_unit(x, w, b);
  fmt::print("   x = {}  w = {}  b = {}\n", x, w, b);
  fmt::print("   z = x·w + b = {:.2f}\n", unit.z.value());
  fmt::print("   a = σ(z) = 1/(1+exp(-z)) = {:.3f}\n\n", unit.a.value());
}

void show_chain_rule() {
  fmt::print("2. The chain rule: df/dx = dg/dh · dh/dx\n");
  const double x0 = 1.5, a = 2.0;
  ag::Scalar x(x0, "x");
  auto f = lecture::square_of_square_plus_one(x);
  f.backward();
  fmt::print("   f(x) = (x^2+1)^2 at x = {}:  f = {:.6f}\n", x0, f.value());
  fmt::print("      autograd df/dx = {:.6f}   closed form 2(x^2+1)·2x = {:.6f}\n", x.grad(),
             lecture::square_of_square_plus_one_derivative(x0));
  ag::Scalar x2(x0, "x");
  auto g = lecture::log_of_scaled(x2, a);
  g.backward();
  fmt::print("   f(x) = ln(ax) at a = {}, x = {}:  f = {:.6f}\n", a, x0, g.value());
  fmt::print("      autograd df/dx = {:.6f}   closed form 1/x = {:.6f}\n\n", x2.grad(), 1.0 / x0);
}

void show_softmax() {
  fmt::print("3. Softmax: y_i = exp(z_i) / Σ_j exp(z_j)\n");
  const std::vector<double> z{2.0, -1.99, -0.01};
  std::vector<ag::Scalar> logits(z.begin(), z.end());
  std::vector<double> y;
  for (const auto& yi : lecture::softmax(logits)) y.push_back(yi.value());
  fmt::print("   z = {}  ->  ŷ = softmax(z) = [{:.3f}]\n\n", z, fmt::join(y, ", "));
}

void show_network(const Options& o) {
  fmt::print("4. The 2-2-1 network: sigmoid units, no biases, binary cross-entropy\n");
  fmt::print("   W = [[{}, {}], [{}, {}]]  u = [{}, {}]  x = [{}, {}]  y = {}  η = {}\n\n",
             o.W[0][0], o.W[0][1], o.W[1][0], o.W[1][1], o.u[0], o.u[1], o.x[0], o.x[1], o.y, o.lr);
  lecture::Net221 net(o.W, o.u);
  auto pass = lecture::forward(net, o.x, o.y);
  fmt::print("   z = W·x   = [{:.6f}, {:.6f}]\n", pass.z[0].value(), pass.z[1].value());
  fmt::print("   a = σ(z)  = [{:.6f}, {:.6f}]\n", pass.a[0].value(), pass.a[1].value());
  fmt::print("   v = u·a   = {:.6f}\n", pass.v.value());
  fmt::print("   c = σ(v)  = {:.6f}\n", pass.c.value());
  fmt::print("   L(c, y) = -y ln c - (1-y) ln(1-c) = {:.6f}\n\n", pass.L.value());

  // The backward pass, recording every chain-rule step (it is also the
  // gradient computation: afterwards every grad() is set).
  const std::vector<ag::TraceStep> steps = ag::trace_backward(pass.L);
  const auto closed = lecture::closed_form_grads(net, pass, o.x, o.y);
  fmt::print("   {:<9} {:>12}  {:>12}  {:<28} {}\n", "gradient", "autograd", "closed form",
             "(lecture)", "|difference|");
  for (int i = 0; i < 2; ++i) {
    fmt::print("   dL/du{}    {:>12.8f}  {:>12.8f}  {:<28} {:.1e}\n", i + 1, net.u[i].grad(),
               closed.du[i], fmt::format("(c-y) a{}", i + 1),
               std::fabs(net.u[i].grad() - closed.du[i]));
  }
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 2; ++j) {
      fmt::print("   dL/dw{}{}   {:>12.8f}  {:>12.8f}  {:<28} {:.1e}\n", i + 1, j + 1,
                 net.W[i][j].grad(), closed.dW[i][j],
                 fmt::format("(c-y) u{0} a{0} (1-a{0}) x{1}", i + 1, j + 1),
                 std::fabs(net.W[i][j].grad() - closed.dW[i][j]));
    }
  }

  fmt::print(
      "\n   The backward pass step by step: each node hands its input dL/d(node) ×\n"
      "   d(node)/d(input). Multiply the factors along a path from L down to w11 and you\n"
      "   get the lecture's dL/dc · dc/dv · dv/da1 · da1/dz1 · dz1/dw11.\n\n");
  fmt::print("{}", ag::format_trace(steps));
  std::filesystem::create_directories(o.out);
  const auto dot_path = (std::filesystem::path(o.out) / "lecture221.dot").string();
  const auto svg_path = (std::filesystem::path(o.out) / "lecture221.svg").string();
  const std::string dot = ag::to_dot(pass.L, steps);  // edges labelled with their factor
  std::ofstream(dot_path) << dot;
  fmt::print("\n   diagram of the graph with values, gradients and factors: {}\n", dot_path);
  if (ag::can_render()) {
    ag::render_dot(dot, svg_path);
    fmt::print("   rendered with Graphviz: {}\n", svg_path);
    // The same steps to walk through in a browser, and as text beside it.
    const auto html_path = (std::filesystem::path(o.out) / "lecture221.html").string();
    ag::render_html(pass.L, steps, html_path);
    std::ofstream((std::filesystem::path(o.out) / "lecture221.trace.txt"))
        << ag::format_trace(steps);
    fmt::print("   the backward pass to step through in a browser: {}\n", html_path);
  } else {
    fmt::print("   (no SVG: Graphviz is not installed; `dot -Tsvg {}` renders it)\n", dot_path);
  }

  fmt::print("\n   SGD: u_i <- u_i - η dL/du_i,  w_ij <- w_ij - η dL/dw_ij\n");
  fmt::print("   {:>4}  {:>10}  {:>10}\n", "step", "L", "c");
  fmt::print("   {:>4}  {:>10.6f}  {:>10.6f}\n", 0, pass.L.value(), pass.c.value());
  for (int step = 1; step <= o.steps; ++step) {
    net.sgd_step(o.lr);
    net.zero_grad();
    pass = lecture::forward(net, o.x, o.y);
    pass.L.backward();
    fmt::print("   {:>4}  {:>10.6f}  {:>10.6f}\n", step, pass.L.value(), pass.c.value());
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options options = parse(argc, argv);
    fmt::print("The lecture's worked examples, computed by autograd\n\n");
    show_single_unit();
    show_chain_rule();
    show_softmax();
    show_network(options);
  } catch (const std::exception& e) {
    fmt::print(stderr, "lecture: {}\n", e.what());
    return 2;
  }
  return 0;
}
