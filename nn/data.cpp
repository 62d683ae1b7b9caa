// SPDX-License-Identifier: MIT
#include "autograd/nn/data.hpp"

#include <algorithm>
#include <numeric>

#include "autograd/ops.hpp"

namespace ag::nn {

DataLoader::DataLoader(std::vector<Tensor> tensors, std::int64_t batch_size,
                       DataLoaderOptions options, Generator& gen)
    : tensors_(std::move(tensors)),
      batch_size_(batch_size),
      options_(options),
      gen_(keep_generator(gen)) {
  if (batch_size <= 0)
    detail::fail<ValueError>("DataLoader: batch_size {} is not positive", batch_size);
  if (tensors_.empty()) detail::fail<ValueError>("DataLoader: no tensors");
  for (const Tensor& t : tensors_) {
    if (!t.defined() || t.dim() == 0 || t.shape()[0] != tensors_[0].shape()[0]) {
      detail::fail<ShapeError>("DataLoader: every tensor needs the same first dim; got {} and {}",
                               tensors_[0].defined() ? tensors_[0].shape() : Shape{},
                               t.defined() ? t.shape() : Shape{});
    }
  }
  rows_ = tensors_[0].shape()[0];
  if (options_.sampler) {
    order_ = options_.sampler(0);  // for size() before the first epoch
  } else {
    order_.resize(static_cast<std::size_t>(rows_));
    std::iota(order_.begin(), order_.end(), 0);
  }
}

std::int64_t DataLoader::size() const {
  const std::int64_t rows = rows_per_epoch();
  // rows / batch rounded up, without rows + batch - 1 (which overflows for
  // a batch size near INT64_MAX).
  return options_.drop_last ? rows / batch_size_
                            : rows / batch_size_ + (rows % batch_size_ != 0 ? 1 : 0);
}

void DataLoader::reshuffle() {
  if (options_.sampler) {
    std::vector<std::int64_t> rows = options_.sampler(epoch_);
    for (std::int64_t r : rows) {
      if (r < 0 || r >= rows_) {
        detail::fail<IndexError>("DataLoader: the sampler gave row {} of {} in epoch {}", r, rows_,
                                 epoch_);
      }
    }
    order_ = std::move(rows);
    ++epoch_;
    return;
  }
  std::iota(order_.begin(), order_.end(), 0);
  if (options_.shuffle) shuffle(order_, drawing_generator(gen_));
}

DataLoader::iterator DataLoader::begin() {
  reshuffle();
  return {this, 0};
}

std::vector<Tensor> DataLoader::batch(std::int64_t k) const {
  if (k < 0 || k >= size()) {
    detail::fail<IndexError>("DataLoader: batch {} of {} per epoch", k, size());
  }
  const std::int64_t start = k * batch_size_,  // at most the rows: no overflow
      stop = start + std::min(batch_size_, rows_per_epoch() - start);
  const Tensor index =
      index_tensor(std::vector<std::int64_t>(order_.begin() + start, order_.begin() + stop));
  std::vector<Tensor> out;
  for (const Tensor& t : tensors_) out.push_back(index_select(t, 0, index));
  return out;
}

}  // namespace ag::nn
