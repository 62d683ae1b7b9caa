#include <autograd/autograd.hpp>
int main() {
  ag::Scalar x{2.0, "x"};
  auto y = (x * x + 1.0).log();
  y.backward();
  fmt::print("y = {:.4f}, dy/dx = {:.4f}\n", y.value(), x.grad());
}
