// SPDX-License-Identifier: MIT
// Nodes name their op by a 16-bit number (node.hpp's op table). Past 65,535
// distinct ops, recording a node throws instead of wrapping around. In a
// binary of its own: the table is per process and this test fills it.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "autograd/autograd.hpp"

using ag::Scalar;
using ag::detail::Op;

TEST_CASE("past 65,535 distinct ops, recording a node is a GraphError and the table stays usable") {
  Scalar x = 2.0;
  Scalar before = x * 3.0 + x;  // ops already numbered keep working afterwards
  std::vector<std::unique_ptr<Op>> ops;
  std::string message;
  std::size_t recorded = 0;
  for (int i = 0; i < 70'000 && message.empty(); ++i) {
    ops.emplace_back(new Op{"extra", "e", &ag::detail::scalar_kind, nullptr});
    try {
      Scalar leaf = Scalar::adopt(ag::detail::make_scalar(ops.back().get(), 1.0));
      CHECK(leaf.op_name() == "extra");
      ++recorded;
    } catch (const ag::GraphError& e) {
      message = e.what();
    }
  }
  CHECK(message.find("op 'extra': more than 65535 distinct ops") != std::string::npos);
  CHECK(recorded > 60'000);
  CHECK(recorded < 65'535);  // the library's own ops hold some numbers
  Scalar after = x * 3.0 + before;
  after.backward();
  CHECK(x.grad() == 7.0);
  CHECK(after.value() == 14.0);
}
