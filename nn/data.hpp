// SPDX-License-Identifier: MIT
// Minibatches over tensors that share their first dim (torch's
// TensorDataset + DataLoader): seeded shuffling, batch size, drop_last, or
// the rows of each epoch from a sampler (a data-parallel rank's shard).
//
//     ag::nn::DataLoader loader({x, y}, 32, {.shuffle = true});
//     for (int epoch = 0; epoch < 10; ++epoch)
//       for (const auto& batch : loader)  // a new order every epoch
//         train_step(batch[0], batch[1]);
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "autograd/tensor.hpp"

namespace ag::nn {

/// How a DataLoader orders and cuts its rows.
struct DataLoaderOptions {
  bool shuffle = false;    ///< a new permutation of the rows at every begin()
  bool drop_last = false;  ///< leave out a last batch smaller than batch_size
  /// If set, the rows of epoch e (0, 1, ... counted by begin()) in their
  /// order, instead of all rows (shuffled or not): torch's sampler, e.g. a
  /// rank's shard, `{.sampler = ag::dist::shard_sampler(rows, seed)}`.
  /// IndexError at begin() for a row out of range.
  std::function<std::vector<std::int64_t>(std::int64_t epoch)> sampler = nullptr;
};

/// Minibatches of rows of tensors that share their first dim (see above).
class DataLoader {
 public:
  /// ShapeError unless every tensor has a first dim of the same size;
  /// ValueError unless batch_size > 0. The order comes from `gen`, so a
  /// seeded generator gives the same batches on every run.
  DataLoader(std::vector<Tensor> tensors, std::int64_t batch_size, DataLoaderOptions options = {},
             Generator& gen = default_generator());

  /// Batches per epoch.
  std::int64_t size() const;
  /// Rows of the dataset.
  std::int64_t rows() const { return rows_; }
  /// Rows per epoch: rows(), or as many as the sampler gives.
  std::int64_t rows_per_epoch() const { return static_cast<std::int64_t>(order_.size()); }
  /// Batch k of the current epoch: each tensor's rows, in its order.
  std::vector<Tensor> batch(std::int64_t k) const;
  /// Starts an epoch (reshuffling when asked).
  void reshuffle();

  /// Walks the batches of one epoch.
  class iterator {
   public:
    /// At batch k of `loader`.
    iterator(const DataLoader* loader, std::int64_t k) : loader_(loader), k_(k) {}
    /// The batch: each tensor's rows.
    std::vector<Tensor> operator*() const { return loader_->batch(k_); }
    /// The next batch.
    iterator& operator++() {
      ++k_;
      return *this;
    }
    /// At the same batch.
    bool operator==(const iterator& other) const { return k_ == other.k_; }

   private:
    const DataLoader* loader_;
    std::int64_t k_;
  };
  /// A range-for over one epoch; each begin() starts a new one.
  iterator begin();
  /// Past the last batch.
  iterator end() const { return {this, size()}; }

 private:
  std::vector<Tensor> tensors_;
  std::int64_t batch_size_, rows_ = 0;
  DataLoaderOptions options_;
  Generator* gen_;  // keep_generator(): nullptr draws from the running thread's default
  std::vector<std::int64_t> order_;
  std::int64_t epoch_ = 0;  // the sampler's next epoch
};

}  // namespace ag::nn
