// SPDX-License-Identifier: MIT
// Integer and bool tensors as values (ops_math.hpp's promotion, compare.cpp's
// logic, reduce.cpp's integer reductions), compound assignment
// (ops/inplace.cpp) and the errors PyTorch gives. Values against PyTorch:
// parity_test.cpp.
#include "check.hpp"

#include <sstream>

TEST_CASE("integers: PyTorch's promotion and no gradient") {
  const Tensor idx = Tensor::from({1, 2, 3});
  CHECK((idx + 1).dtype() == DType::int64);
  CHECK((idx * 2).to_vector() == std::vector<double>{2, 4, 6});
  CHECK((idx + 1.5).dtype() == default_dtype());
  CHECK((idx / 2).dtype() == default_dtype());  // true division
  CHECK((idx + Tensor::from({1.0})).dtype() == DType::float64);
  const Tensor mask = Tensor::from({true, false, true});
  CHECK((mask + mask).dtype() == DType::boolean);
  CHECK((mask + idx).dtype() == DType::int64);
  CHECK(sum(mask).item<std::int64_t>() == 2);
  CHECK(sum(mask).dtype() == DType::int64);
  // float32 with float64 stays an error: the library's one deviation.
  CHECK_THROWS_AS(ones({2}) + ones({2}, DType::float64), DTypeError);
  // Integers take no gradient; ops on them record nothing.
  CHECK_THROWS_AS(Tensor::from({1, 2}).requires_grad_(), DTypeError);
  const Tensor w = Tensor::from({1.0, 2.0, 3.0}).requires_grad_();
  sum(w * idx).backward();  // int64 promoted: the gradient is idx
  CHECK(w.grad().to_vector() == std::vector<double>{1, 2, 3});
}

TEST_CASE("integers: exact, wrapping arithmetic, never undefined behaviour") {
  const Tensor big = Tensor::from({INT64_MAX, INT64_MIN});
  CHECK((big + 1)[0].item<std::int64_t>() == INT64_MIN);  // wraps as PyTorch's int64
  CHECK(abs(Tensor::from({INT64_MIN})).item<std::int64_t>() == INT64_MIN);
  CHECK(floor_divide(Tensor::from({INT64_MIN}), Tensor::from({-1})).item<std::int64_t>() ==
        INT64_MIN);
  CHECK(remainder(Tensor::from({INT64_MIN}), Tensor::from({-1})).item<std::int64_t>() == 0);
  CHECK(sum(Tensor::from({INT64_MAX, std::int64_t{1}})).item<std::int64_t>() == INT64_MIN);
  CHECK_THROWS_WITH(floor_divide(Tensor::from({1}), Tensor::from({0})),
                    doctest::Contains("floor_divide: integer division by zero"));
  CHECK_THROWS_AS(remainder(Tensor::from({1}), Tensor::from({0})), ValueError);
  // Large int64 values are read exactly by item<T>.
  CHECK(Tensor::from({(std::int64_t{1} << 53) + 1}).item<std::int64_t>() ==
        (std::int64_t{1} << 53) + 1);
}

TEST_CASE("integers: the errors PyTorch gives") {
  const Tensor idx = Tensor::from({1, 2, 3});
  const Tensor mask = Tensor::from({true, false, true});
  CHECK_THROWS_WITH(mean(idx), doctest::Contains("mean: int64 tensor [3]"));
  CHECK_THROWS_WITH(-mask, doctest::Contains("neg: not defined for a bool tensor"));
  CHECK_THROWS_WITH(mask - mask, doctest::Contains("sub: not defined for bool tensors"));
  CHECK_THROWS_WITH(idx & idx, doctest::Contains("&: takes bool tensors, not int64"));
  CHECK((mask & (idx > 1)).to_vector() == std::vector<double>{0, 0, 1});
  CHECK((!mask).to_vector() == std::vector<double>{0, 1, 0});
  CHECK(logical_or(idx - 1, zeros({3}, DType::int64)).to_vector() == std::vector<double>{0, 1, 1});
  // softmax of integers is refused; logsumexp takes them as float32 (PyTorch 1.13: 2.3133).
  CHECK_THROWS_WITH(softmax(idx, 0), doctest::Contains("softmax: expected a float32 or float64"));
  CHECK_THROWS_AS(log_softmax(idx, 0), DTypeError);
  const Tensor lse = logsumexp(Tensor::from({1, 2}), {0});
  CHECK(lse.dtype() == DType::float32);
  CHECK(lse.item<double>() == doctest::Approx(2.3132617));
}

TEST_CASE("integers: floats that int64 cannot hold (a fuzzer's find: softmax of int64 was UB)") {
  // full refuses, as PyTorch ("value cannot be converted to type int64_t without overflow").
  CHECK_THROWS_WITH(full({2}, INFINITY, DType::int64),
                    doctest::Contains("full: value inf cannot be converted to int64"));
  CHECK_THROWS_AS(full({2}, 1e30, DType::int64), ValueError);
  CHECK_THROWS_AS(full({1}, NAN, DType::int64), ValueError);
  CHECK_THROWS_AS(arange(1e300, 1e300 + 1e285, 1e284, DType::int64), ValueError);
  CHECK(full({1}, 2.7, DType::int64).item<std::int64_t>() == 2);  // truncated, as PyTorch
  CHECK(full({1}, -0x1p63, DType::int64).item<std::int64_t>() == INT64_MIN);
  CHECK(full({2}, NAN, DType::boolean).to_vector() == std::vector<double>{1, 1});
  // Conversion gives what x86 (and so PyTorch on a CPU) gives: INT64_MIN.
  const Tensor odd =
      Tensor::from(std::vector<double>{NAN, INFINITY, -INFINITY, 1e30, -2.9, 0x1p62}, {6});
  CHECK(odd.to(DType::int64).to_vector() ==
        std::vector<double>{-0x1p63, -0x1p63, -0x1p63, -0x1p63, -2, 0x1p62});
}

TEST_CASE("comparisons: operators, numbers and promotion") {
  const Tensor pred = Tensor::from({0, 2, 1, 1}), y = Tensor::from({0, 1, 1, 2});
  CHECK((pred == y).sum().item<std::int64_t>() == 2);
  CHECK(pred.eq(y).all().item<bool>() == false);
  CHECK((pred == pred).all().item<bool>());
  CHECK((pred > 0.5).to_vector() == std::vector<double>{0, 1, 1, 1});
  CHECK((pred >= 1).to_vector() == std::vector<double>{0, 1, 1, 1});
  const Tensor f = Tensor::from({0.1f, 0.5f});
  CHECK((f == 0.1).to_vector() == std::vector<double>{1, 0});  // in float32, as PyTorch
  CHECK((pred < Tensor::from({1.5})).to_vector() == std::vector<double>{1, 0, 1, 1});
}

TEST_CASE("compound assignment: in place when nothing records, else the recorded result") {
  // Plain tensors (and integers): in place, every handle sees it, version rises.
  Tensor a = Tensor::from({1.0, 2.0});
  const Tensor alias = a;
  const std::uint32_t v0 = a.version();
  a += 1;
  a *= Tensor::from({2.0, 3.0});
  a -= 1.0;
  a /= 2;
  CHECK(alias.to_vector() == std::vector<double>{1.5, 4.0});
  CHECK(a.version() > v0);
  Tensor counts = zeros({3}, DType::int64);
  counts += Tensor::from({1, 0, 2});
  counts *= 3;
  CHECK(counts.to_vector() == std::vector<double>{3, 0, 6});
  CHECK_THROWS_AS(counts /= 2, DTypeError);  // a float result into int64, as PyTorch
  CHECK_THROWS_AS(counts += 0.5, DTypeError);
  CHECK_THROWS_AS(a += ones({3}, DType::float64), ShapeError);
  // A graph that saved the old values refuses to backward (version counters).
  Tensor w = Tensor::from({1.0, 2.0}).requires_grad_();
  Tensor x = Tensor::from({3.0, 4.0});
  const Tensor loss = sum(w * x);
  x += 1.0;
  CHECK_THROWS_AS(loss.backward(), GraphError);
  // Recording through it: the handle takes the result; gradients are right.
  Tensor h = w * 2.0;
  h += w;  // h = 3w
  h *= h;  // 9w²
  sum(h).backward();
  CHECK(w.grad().to_vector() == std::vector<double>{18.0, 36.0});
  // A leaf that requires a gradient: refused unless under NoGradGuard.
  CHECK_THROWS_WITH(w += 1.0, doctest::Contains("add_: a leaf tensor that requires a gradient"));
  {
    NoGradGuard no_grad;
    w -= 0.5 * w.grad();
  }
  CHECK(w.to_vector() == std::vector<double>{-8.0, -16.0});
}

TEST_CASE("factories: *_like, empty") {
  const Tensor x = Tensor::from({{1.0f, 2.0f}, {3.0f, 4.0f}}).requires_grad_();
  for (const Tensor& t : {zeros_like(x), ones_like(x), full_like(x, 7.0), empty_like(x),
                          rand_like(x), randn_like(x)}) {
    CHECK(t.shape() == x.shape());
    CHECK(t.dtype() == DType::float32);
    CHECK(!t.requires_grad());
  }
  CHECK(zeros_like(x, DType::int64).dtype() == DType::int64);
  CHECK(full_like(x, 7.0).to_vector() == std::vector<double>{7, 7, 7, 7});
  CHECK(x.expand_as(zeros({3, 2, 2})).shape() == Shape{3, 2, 2});
  CHECK(x.reshape_as(zeros({4})).shape() == Shape{4});
  CHECK(x.view_as(zeros({1, 4})).shape() == Shape{1, 4});
  std::ostringstream text;
  text << x.shape();
  CHECK(text.str() == "[2, 2]");
}

TEST_CASE("float ops of ports: gradcheck and gradgradcheck") {
  check([](const Args& in) { return remainder(in[0] * 3.0, in[1]); },
        {input({3, 4}), input({4}, 0.5, 2.0)});
  check([](const Args& in) { return clamp(in[0], in[1], in[2]); },
        {input({3, 4}), input({4}, -1.5, -0.5), input({3, 1}, 0.5, 1.5)});
  check([](const Args& in) { return mm(in[0], in[1]); }, {input({3, 4}), input({4, 2})});
  check([](const Args& in) { return bmm(in[0], in[1]); }, {input({2, 3, 4}), input({2, 4, 2})});
  check([](const Args& in) { return addmm(in[0], in[1], in[2], 0.5, 2.0); },
        {input({3, 2}), input({3, 4}), input({4, 2})});
  check([](const Args& in) { return outer(in[0], in[1]); }, {input({3}), input({4})});
  check([](const Args& in) { return roll(in[0], {1, -2}, {0, 1}); }, {input({3, 4})});
  check([](const Args& in) { return cosine_similarity(in[0], in[1], 1); },
        {input({3, 4}), input({3, 4})});
  CHECK_THROWS_AS(mm(ones({2}), ones({2, 2})), ShapeError);
  CHECK_THROWS_AS(bmm(ones({2, 2, 2}), ones({3, 2, 2})), ShapeError);
  CHECK_THROWS_AS(outer(ones({2, 2}), ones({2})), ShapeError);
}
