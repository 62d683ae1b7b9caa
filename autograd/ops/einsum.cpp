// SPDX-License-Identifier: MIT
// einsum for one or two operands, as a composition: labels only one side
// uses and the output drops are summed first, then the pair becomes one
// batched matmul of (batch, free of a, contracted) by (batch, contracted,
// free of b), permuted into the output's order. So gradients of any order
// come from sum, permute, reshape and matmul.
#include <algorithm>
#include <map>
#include <string>

#include "autograd/ops/kernels.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {

struct Equation {
  std::vector<std::string> inputs;
  std::string output;
};

Equation parse(std::string_view equation, std::size_t operands) {
  std::string text;
  for (char c : equation)
    if (c != ' ') text += c;
  Equation eq;
  const std::size_t arrow = text.find("->");
  const std::string lhs = text.substr(0, arrow);
  for (std::size_t start = 0;;) {
    const std::size_t comma = lhs.find(',', start);
    eq.inputs.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  auto is_label = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  std::map<char, int> count;
  for (const std::string& term : eq.inputs) {
    for (char c : term) {
      if (!is_label(c)) fail<ValueError>("einsum: '{}' in \"{}\" is not a letter", c, equation);
      if (std::count(term.begin(), term.end(), c) > 1) {
        fail<ValueError>("einsum: \"{}\" repeats '{}' in one operand (diagonals are not supported)",
                         equation, c);
      }
      ++count[c];
    }
  }
  if (arrow == std::string::npos) {  // implicit: the labels used once, in order
    for (const auto& [c, n] : count)
      if (n == 1) eq.output += c;
  } else {
    eq.output = text.substr(arrow + 2);
    for (char c : eq.output) {
      if (!count.count(c) || std::count(eq.output.begin(), eq.output.end(), c) > 1) {
        fail<ValueError>("einsum: output label '{}' of \"{}\" is not an input label or repeats", c,
                         equation);
      }
    }
  }
  if (eq.inputs.size() != operands || operands < 1 || operands > 2) {
    fail<ValueError>("einsum: \"{}\" names {} operands, {} given (one or two are supported)",
                     equation, eq.inputs.size(), operands);
  }
  return eq;
}

bool has(const std::string& s, char c) { return s.find(c) != std::string::npos; }

// x summed over the labels of `term` that `keep` lacks; `term` updated.
Tensor sum_unused(const Tensor& x, std::string& term, const std::string& keep) {
  std::vector<std::int64_t> dims;
  std::string left;
  for (std::size_t k = 0; k < term.size(); ++k) {
    if (has(keep, term[k])) {
      left += term[k];
    } else {
      dims.push_back(static_cast<std::int64_t>(k));
    }
  }
  term = left;
  return dims.empty() ? x : sum(x, dims);
}

// x permuted to the label order `want` (a permutation of `term`).
Tensor arrange(const Tensor& x, const std::string& term, const std::string& want) {
  std::vector<std::int64_t> perm;
  for (char c : want) perm.push_back(static_cast<std::int64_t>(term.find(c)));
  return want == term ? x : permute(x, perm);
}

}  // namespace

Tensor einsum(std::string_view equation, const std::vector<Tensor>& operands) {
  Equation eq = parse(equation, operands.size());
  std::map<char, std::int64_t> size;
  for (std::size_t i = 0; i < operands.size(); ++i) {
    const Shape& shape = operands[i].shape();
    if (shape.size() != eq.inputs[i].size()) {
      fail<ShapeError>("einsum: operand {} has shape {} but \"{}\" gives it {} labels", i, shape,
                       eq.inputs[i], eq.inputs[i].size());
    }
    for (std::size_t k = 0; k < shape.size(); ++k) {
      const auto [it, fresh] = size.emplace(eq.inputs[i][k], shape[k]);
      if (!fresh && it->second != shape[k]) {
        fail<ShapeError>("einsum: label '{}' has size {} and {} in \"{}\"", eq.inputs[i][k],
                         it->second, shape[k], equation);
      }
    }
  }
  if (operands.size() == 1) {
    std::string term = eq.inputs[0];
    const Tensor x = sum_unused(operands[0], term, eq.output);
    return arrange(x, term, eq.output);
  }
  std::string ta = eq.inputs[0], tb = eq.inputs[1];
  const Tensor a = sum_unused(operands[0], ta, tb + eq.output);
  const Tensor b = sum_unused(operands[1], tb, ta + eq.output);
  std::string batch, free_a, free_b, contracted;
  for (char c : ta) (has(tb, c) ? (has(eq.output, c) ? batch : contracted) : free_a) += c;
  for (char c : tb)
    if (!has(ta, c)) free_b += c;
  auto extent = [&](const std::string& labels) {
    std::int64_t n = 1;
    for (char c : labels) n *= size[c];
    return n;
  };
  const std::int64_t nb = extent(batch), m = extent(free_a), k = extent(contracted),
                     nn = extent(free_b);
  const Tensor a3 = reshape(arrange(a, ta, batch + free_a + contracted), {nb, m, k});
  const Tensor b3 = reshape(arrange(b, tb, batch + contracted + free_b), {nb, k, nn});
  Shape out_shape;
  const std::string got = batch + free_a + free_b;
  for (char c : got) out_shape.push_back(size[c]);
  return arrange(reshape(matmul(a3, b3), out_shape), got, eq.output);
}

}  // namespace ag
