// SPDX-License-Identifier: MIT
// What ported PyTorch programs need, against PyTorch 1.13's own values and
// dtypes (tests/reference/parity.json, written by make_parity.py): integer
// and bool arithmetic with promotion, comparisons, logic, integer
// reductions, indexing, and the float ops and losses a port used.
#include <doctest/doctest.h>

#include "../conformance.hpp"
#include "autograd/nn/nn.hpp"

using namespace ag;
using conformance::json;

namespace {

// A stored index (make_parity.py's python_index) as TensorIndex entries.
std::vector<TensorIndex> index_of(const json& spec, std::map<std::string, Tensor>& in) {
  std::vector<TensorIndex> out;
  for (const json& e : spec) {
    if (e.is_array()) {
      const auto bound = [](const json& v) {
        return v.is_null() ? indexing::SliceBound() : indexing::SliceBound(v.get<std::int64_t>());
      };
      out.emplace_back(indexing::Slice(bound(e[0]), bound(e[1]), bound(e[2])));
    } else if (e.is_string()) {
      const std::string s = e.get<std::string>();
      if (s == "None") {
        out.emplace_back(indexing::None);
      } else if (s == "...") {
        out.emplace_back("...");
      } else {
        out.emplace_back(in.at(s));
      }
    } else {
      out.emplace_back(e.get<std::int64_t>());
    }
  }
  return out;
}

nn::Reduction reduction_of(const std::string& r) {
  return r == "mean" ? nn::Reduction::mean : r == "sum" ? nn::Reduction::sum : nn::Reduction::none;
}

Tensor apply(const json& c, std::map<std::string, Tensor>& in, Tensor*) {
  const std::string op = c.at("op"), name = c.at("name");
  const json& at = c.at("attrs");
  const Tensor &a = in["a"], &b = in["b"];
  // Integer and bool arithmetic: the name says the expression.
  if (op == "int_add_int" || op == "int_add_float" || op == "bool_add_int" ||
      op == "bool_add_bool") {
    return a + b;
  }
  if (op == "int_sub_int") return a - b;
  if (op == "int_mul_int" || op == "float_mul_int" || op == "bool_mul_bool" ||
      op == "bool_mul_float") {
    return a * b;
  }
  if (op == "int_div_int") return a / b;
  if (op == "int_plus_1") return a + 1;
  if (op == "int_times_2") return a * 2;
  if (op == "one_minus_int") return 1 - a;
  if (op == "int_plus_half") return a + 0.5;
  if (op == "int_div_2") return a / 2;
  if (op == "neg_int") return -a;
  if (op == "abs_int") return abs(a);
  if (op == "exp_int") return exp(a);
  if (op.starts_with("floor_divide")) return floor_divide(a, b);
  if (op.starts_with("remainder")) return remainder(a, b);
  if (op == "maximum_int") return maximum(a, b);
  if (op == "eq_int_float") return a == b;
  if (op == "lt_int_int") return a < b;
  if (op == "ge_int_scalar") return a >= 1;
  if (op == "gt_int_half") return a > 0.5;
  if (op == "eq_float_scalar") return a == 0.5;
  if (op == "ne_bool_int") return a != b;
  if (op == "logical_and") return logical_and(a, b);
  if (op == "logical_or_int") return logical_or(a, b);
  if (op == "logical_xor") return a ^ b;
  if (op == "logical_not") return logical_not(a);
  if (op == "sum_int" || op == "sum_bool") return a.sum();
  if (op == "sum_int_dim") return a.sum(1);
  if (op == "sum_bool_dim") return a.sum(0, true);
  if (op == "prod_int") return a.prod(1);
  if (op == "cumsum_int") return a.cumsum(1);
  if (op == "cumsum_bool") return a.cumsum(0);
  if (op == "max_int") return a.max();
  if (op == "amin_int") return a.amin(1);
  if (op == "argmax_int") return a.argmax(1);
  if (op == "argmin_int") return a.argmin(0);
  if (op == "all_bool") return a.all();
  if (op == "all_dim") return a.all(1);
  if (op == "any_int_dim") return a.any(0);
  if (op == "sum_pred_eq") return (a == b).sum();
  // Float ops of ports.
  if (op == "clamp_tensor") return in["x"].clamp(in["lo"], in["hi"]);
  if (op == "clamp_min_tensor") return clamp(in["x"], in["lo"], Tensor());
  if (op == "mm") return a.mm(b);
  if (op == "bmm") return a.bmm(b);
  if (op == "addmm") return addmm(in["c"], a, b, at.at("beta"), at.at("alpha"));
  if (op == "outer") return a.outer(b);
  if (op == "roll") {
    return in["x"].roll(at.at("shifts").get<std::vector<std::int64_t>>(),
                        at.at("dims").get<std::vector<std::int64_t>>());
  }
  if (op == "cosine_similarity") return cosine_similarity(a, b, at.at("dim"));
  if (op == "where_promote") return where(in["c"], a, b);
  if (op == "index") return ag::index(in["x"], index_of(at.at("index"), in));
  if (op == "index_put") return index_put(in["x"], index_of(at.at("index"), in), in["v"]);
  if (op == "masked_select") return in["x"].masked_select(in["k"]);
  if (op == "smooth_l1_loss") {
    return nn::smooth_l1_loss(a, b, reduction_of(at.at("reduction")), at.at("beta"));
  }
  if (op == "huber_loss") {
    return nn::huber_loss(a, b, reduction_of(at.at("reduction")), at.at("delta"));
  }
  if (op == "kl_div") {
    const std::string r = at.at("reduction");
    const nn::KLReduction kind = r == "batchmean" ? nn::KLReduction::batchmean
                                 : r == "sum"     ? nn::KLReduction::sum
                                 : r == "mean"    ? nn::KLReduction::mean
                                                  : nn::KLReduction::none;
    return nn::kl_div(in["x"], in["t"], kind, at.at("log_target"));
  }
  FAIL("no mapping for " << name);
  return {};
}

}  // namespace

TEST_CASE("ported programs' ops match PyTorch 1.13, dtypes too (tests/reference/parity.json)") {
  // The reference ran with torch.set_default_dtype(torch.float64): integer
  // division and exp of integers give float64 there, so here too.
  const DType before = default_dtype();
  set_default_dtype(DType::float64);
  conformance::check_cases(std::filesystem::path(AG_REFERENCE_DIR) / "parity.json", apply);
  set_default_dtype(before);
}
