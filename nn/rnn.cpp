// SPDX-License-Identifier: MIT
#include "autograd/nn/rnn.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "autograd/nn/layers.hpp"
#include "autograd/nn/rnn_step.hpp"

namespace ag::nn {
namespace {

const char* layer_name(CellKind kind) {
  return kind == CellKind::lstm ? "LSTM" : kind == CellKind::gru ? "GRU" : "RNN";
}

// A batch laid out packed, as PyTorch's PackedSequence: sequences sorted by
// length (longest first, stable), step t's rows are packed rows
// offsets[t] .. offsets[t] + sizes[t], the sequences still going.
struct Packing {
  std::int64_t time = 0, batch = 0, rows = 0;
  std::vector<std::int64_t> sizes, offsets;
  Tensor gather;   // packed row -> time-major row t·batch + b; undefined: the same
  Tensor scatter;  // time-major row -> packed row, or `rows` past the end; undefined: the same
  Tensor order;    // sorted position -> sequence; undefined: already sorted
  Tensor unorder;  // sequence -> sorted position
};

Packing pack(const Tensor& lengths, std::int64_t time, std::int64_t batch, const char* layer) {
  Packing p;
  p.time = time;
  p.batch = batch;
  std::vector<std::int64_t> length(static_cast<std::size_t>(batch), time);
  if (lengths.defined()) {
    if (lengths.dtype() != DType::int64 || lengths.dim() != 1 || lengths.size(0) != batch) {
      detail::fail<ShapeError>("{}: lengths must be int64 of shape [{}], got {} {}", layer, batch,
                               dtype_name(lengths.dtype()), lengths.shape());
    }
    const std::int64_t* l = lengths.contiguous().data<std::int64_t>();
    for (std::int64_t b = 0; b < batch; ++b) {
      if (l[b] < 1 || l[b] > time) {
        detail::fail<ValueError>("{}: lengths[{}] = {} is outside [1, {}]", layer, b, l[b], time);
      }
      length[static_cast<std::size_t>(b)] = l[b];
    }
  }
  std::vector<std::int64_t> order(length.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    return length[static_cast<std::size_t>(a)] > length[static_cast<std::size_t>(b)];
  });
  for (std::int64_t t = 0; t < time; ++t) {
    p.sizes.push_back(
        std::count_if(length.begin(), length.end(), [t](std::int64_t l) { return l > t; }));
    p.offsets.push_back(p.rows);
    p.rows += p.sizes.back();
  }
  if (p.rows == time * batch) return p;  // every sequence full length
  std::vector<std::int64_t> gather, scatter(static_cast<std::size_t>(time * batch), p.rows);
  for (std::int64_t t = 0; t < time; ++t) {
    for (std::int64_t j = 0; j < p.sizes[static_cast<std::size_t>(t)]; ++j) {
      const std::int64_t row = t * batch + order[static_cast<std::size_t>(j)];
      scatter[static_cast<std::size_t>(row)] = static_cast<std::int64_t>(gather.size());
      gather.push_back(row);
    }
  }
  p.gather = Tensor::from(gather, {p.rows});
  p.scatter = Tensor::from(scatter, {time * batch});
  if (!std::is_sorted(order.begin(), order.end())) {
    std::vector<std::int64_t> unorder(order.size());
    for (std::size_t j = 0; j < order.size(); ++j) unorder[static_cast<std::size_t>(order[j])] = j;
    p.order = Tensor::from(order, {batch});
    p.unorder = Tensor::from(unorder, {batch});
  }
  return p;
}

// One direction's weights and kind.
struct Direction {
  CellKind kind;
  Tensor xw;  // the input projection of every packed row
  Tensor w_hh, b_hh;
};

struct Pass {
  Tensor out;      // packed outputs
  LSTMState last;  // every sequence's final state, sorted order
};

LSTMState rows_of(const LSTMState& s, std::int64_t from, std::int64_t to) {
  return {slice(s.h, 0, from, to), s.c.defined() ? slice(s.c, 0, from, to) : Tensor()};
}

Tensor step_input(const Packing& p, const Direction& d, std::int64_t t) {
  const std::size_t k = static_cast<std::size_t>(t);
  if (p.time == 1) return d.xw;
  return slice(d.xw, 0, p.offsets[k], p.offsets[k] + p.sizes[k]);
}

// Forward in time: a sequence that ends leaves the batch's tail, its state kept.
Pass forward_pass(const Packing& p, const Direction& d, LSTMState state) {
  std::vector<Tensor> outs, ended_h, ended_c;
  std::int64_t rows = p.batch;
  for (std::int64_t t = 0; t < p.time; ++t) {
    const std::int64_t n = p.sizes[static_cast<std::size_t>(t)];
    if (n < rows) {
      const LSTMState ended = rows_of(state, n, rows);
      ended_h.push_back(ended.h);
      ended_c.push_back(ended.c);
      state = rows_of(state, 0, n);
      rows = n;
    }
    state = cell_step(d.kind, step_input(p, d, t), linear(state.h, d.w_hh, d.b_hh), state);
    outs.push_back(state.h);
  }
  ended_h.push_back(state.h);
  ended_c.push_back(state.c);
  std::reverse(ended_h.begin(), ended_h.end());  // the longest first, as sorted
  std::reverse(ended_c.begin(), ended_c.end());
  auto join = [](const std::vector<Tensor>& xs) {
    return !xs[0].defined() ? Tensor() : xs.size() == 1 ? xs[0] : cat(xs, 0);
  };
  return {join(outs), {join(ended_h), join(ended_c)}};
}

// Backward in time: a sequence joins the batch's tail at its last step,
// from its initial state.
Pass reverse_pass(const Packing& p, const Direction& d, const LSTMState& initial) {
  std::vector<Tensor> outs(static_cast<std::size_t>(p.time));
  LSTMState state;
  std::int64_t rows = 0;
  for (std::int64_t t = p.time - 1; t >= 0; --t) {
    const std::int64_t n = p.sizes[static_cast<std::size_t>(t)];
    if (n > rows) {
      const LSTMState joining = rows_of(initial, rows, n);
      state = rows == 0 ? joining
                        : LSTMState{cat({state.h, joining.h}, 0),
                                    state.c.defined() ? cat({state.c, joining.c}, 0) : Tensor()};
      rows = n;
    }
    state = cell_step(d.kind, step_input(p, d, t), linear(state.h, d.w_hh, d.b_hh), state);
    outs[static_cast<std::size_t>(t)] = state.h;
  }
  return {outs.size() == 1 ? outs[0] : cat(outs, 0), state};
}

// h0 or c0 as (layers·directions, batch, hidden) in sorted order; zeros if undefined.
Tensor initial_states(const Tensor& s, const Shape& want, bool batched, const Packing& p,
                      DType dtype, const char* layer, const char* what) {
  if (!s.defined()) return zeros(want, dtype);
  const Shape expected = batched ? want : Shape{want[0], want[2]};
  if (s.shape() != expected) {
    detail::fail<ShapeError>("{}: {} must be {}, got {}", layer, what, expected, s.shape());
  }
  const Tensor b = batched ? s : unsqueeze(s, 1);
  return p.order.defined() ? index_select(b, 1, p.order) : b;
}

void check_weights(CellKind kind, const std::vector<Tensor>& w, const RecurrentOptions& o,
                   std::int64_t features) {
  const char* layer = layer_name(kind);
  if (o.num_layers < 1) {
    detail::fail<ValueError>("{}: num_layers must be at least 1, got {}", layer, o.num_layers);
  }
  if (!(o.dropout >= 0.0 && o.dropout <= 1.0)) {
    detail::fail<ValueError>("{}: dropout must be in [0, 1], got {}", layer, o.dropout);
  }
  const std::size_t per = o.bias ? 4 : 2, dirs = o.bidirectional ? 2 : 1;
  if (w.size() != static_cast<std::size_t>(o.num_layers) * dirs * per) {
    detail::fail<ValueError>("{}: expected {} weights for {} layers, got {}", layer,
                             static_cast<std::size_t>(o.num_layers) * dirs * per, o.num_layers,
                             w.size());
  }
  const std::int64_t hidden = w[1].dim() == 2 ? w[1].size(1) : 0;
  const std::int64_t rows = gate_count(kind) * hidden;
  // The input's feature count against the first layer's W_ih: say which
  // input size the layer expects (not "weight 0 must be [16, 7]").
  if (hidden > 0 && w[0].defined() && w[0].dim() == 2 && w[0].size(0) == rows &&
      w[0].size(1) != features) {
    detail::fail<ShapeError>("{}: expected input size {}, got {}", layer, w[0].size(1), features);
  }
  for (std::size_t k = 0; k < w.size(); ++k) {
    const std::size_t layer_index = k / (per * dirs);
    const std::int64_t in = layer_index == 0 ? features : static_cast<std::int64_t>(dirs) * hidden;
    const std::size_t role = k % per;
    const Shape want = role == 0 ? Shape{rows, in} : role == 1 ? Shape{rows, hidden} : Shape{rows};
    if (!w[k].defined() || w[k].shape() != want || hidden == 0) {
      detail::fail<ShapeError>("{}: weight {} must be {}, got {}", layer, k, want,
                               w[k].defined() ? w[k].shape() : Shape{});
    }
  }
}

}  // namespace

RecurrentOutput recurrent(CellKind kind, const Tensor& input, const std::vector<Tensor>& weights,
                          const RecurrentOptions& options, bool training, const Tensor& lengths,
                          const Tensor& h0, const Tensor& c0, Generator& gen) {
  const char* layer = layer_name(kind);
  if (input.dim() != 2 && input.dim() != 3) {
    detail::fail<ShapeError>(
        "{}: input must be (time, batch, features) or (time, features), got {}", layer,
        input.shape());
  }
  const bool batched = input.dim() == 3;
  const Tensor x = !batched              ? unsqueeze(input, 1)
                   : options.batch_first ? transpose(input, 0, 1)
                                         : input;
  const std::int64_t time = x.size(0), batch = x.size(1), features = x.size(2);
  if (time == 0 || batch == 0) {
    detail::fail<ShapeError>("{}: input {} has no steps or no sequences", layer, input.shape());
  }
  check_weights(kind, weights, options, features);
  if (kind != CellKind::lstm && c0.defined()) {
    detail::fail<ValueError>("{}: only an LSTM takes c0", layer);
  }
  const std::int64_t hidden = weights[1].size(1), dirs = options.bidirectional ? 2 : 1;
  const std::size_t per = options.bias ? 4 : 2;
  const Packing p = pack(lengths, time, batch, layer);
  const Shape state_shape{options.num_layers * dirs, batch, hidden};
  const DType dtype = weights[0].dtype();
  const Tensor h_init = initial_states(h0, state_shape, batched, p, dtype, layer, "h0");
  const Tensor c_init = kind == CellKind::lstm
                            ? initial_states(c0, state_shape, batched, p, dtype, layer, "c0")
                            : Tensor();

  Tensor layer_in = reshape(x, {time * batch, features});
  if (p.gather.defined()) layer_in = index_select(layer_in, 0, p.gather);
  std::vector<Tensor> h_n, c_n;
  for (std::int64_t l = 0; l < options.num_layers; ++l) {
    std::vector<Tensor> outs;
    for (std::int64_t dir = 0; dir < dirs; ++dir) {
      const std::int64_t k = l * dirs + dir;
      const Tensor* w = &weights[static_cast<std::size_t>(k) * per];
      const Direction d{kind, linear(layer_in, w[0], options.bias ? w[2] : Tensor()), w[1],
                        options.bias ? w[3] : Tensor()};
      const LSTMState initial{select(h_init, 0, k),
                              c_init.defined() ? select(c_init, 0, k) : Tensor()};
      const Pass pass = dir == 0 ? forward_pass(p, d, initial) : reverse_pass(p, d, initial);
      outs.push_back(pass.out);
      h_n.push_back(pass.last.h);
      c_n.push_back(pass.last.c);
    }
    layer_in = dirs == 2 ? cat(outs, 1) : outs[0];
    if (training && options.dropout > 0.0 && l + 1 < options.num_layers) {
      layer_in = dropout(layer_in, options.dropout, true, gen);
    }
  }

  const std::int64_t width = dirs * hidden;
  Tensor out = layer_in;
  if (p.scatter.defined()) {
    out = index_select(cat({out, zeros({1, width}, dtype)}, 0), 0, p.scatter);
  }
  out = reshape(out, {time, batch, width});
  if (!batched) {
    out = select(out, 1, 0);
  } else if (options.batch_first) {
    out = transpose(out, 0, 1);
  }
  auto finals = [&](const std::vector<Tensor>& states) {
    if (!states[0].defined()) return Tensor();
    Tensor s = stack(states, 0);
    if (p.unorder.defined()) s = index_select(s, 1, p.unorder);
    return batched ? s : select(s, 1, 0);
  };
  return {out, finals(h_n), finals(c_n)};
}

Recurrent::Recurrent(CellKind kind, std::int64_t input_size, std::int64_t hidden_size,
                     const RecurrentOptions& options, DType dtype, Generator& gen,
                     const char* layer)
    : kind_(kind),
      input_size_(input_size),
      hidden_size_(hidden_size),
      options_(options),
      gen_(keep_generator(gen)),
      layer_(layer) {
  if (input_size <= 0 || hidden_size <= 0) {
    detail::fail<ShapeError>("{}: sizes must be positive, got input {} and hidden {}", layer,
                             input_size, hidden_size);
  }
  const double k = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  const std::int64_t rows = gate_count(kind) * hidden_size, dirs = options.bidirectional ? 2 : 1;
  for (std::int64_t l = 0; l < options.num_layers; ++l) {
    for (std::int64_t d = 0; d < dirs; ++d) {
      const std::string suffix = fmt::format("_l{}{}", l, d == 1 ? "_reverse" : "");
      const std::int64_t in = l == 0 ? input_size : dirs * hidden_size;
      weights_.push_back(
          register_parameter("weight_ih" + suffix, rand({rows, in}, gen, dtype, -k, k)));
      weights_.push_back(
          register_parameter("weight_hh" + suffix, rand({rows, hidden_size}, gen, dtype, -k, k)));
      if (!options.bias) continue;
      weights_.push_back(register_parameter("bias_ih" + suffix, rand({rows}, gen, dtype, -k, k)));
      weights_.push_back(register_parameter("bias_hh" + suffix, rand({rows}, gen, dtype, -k, k)));
    }
  }
  check_weights(kind, weights_, options, input_size);  // num_layers and dropout
}

RecurrentOutput Recurrent::run(const Tensor& input, const Tensor& lengths, const Tensor& h0,
                               const Tensor& c0) {
  return recurrent(kind_, input, weights_, options_, is_training(), lengths, h0, c0,
                   drawing_generator(gen_));
}

Tensor Recurrent::forward_many(const std::vector<Tensor>& inputs) {
  const std::size_t most = kind_ == CellKind::lstm ? 4 : 3;
  if (inputs.empty() || inputs.size() > most) {
    detail::fail<GraphError>("{}: takes 1 to {} inputs (input, lengths, h0{}), not {}", layer_,
                             most, kind_ == CellKind::lstm ? ", c0" : "", inputs.size());
  }
  auto at = [&](std::size_t k) { return k < inputs.size() ? inputs[k] : Tensor(); };
  return run(at(0), at(1), at(2), at(3)).output;
}

std::string Recurrent::name() const {
  std::string s = fmt::format("{}({}, {}", layer_, input_size_, hidden_size_);
  if (options_.num_layers != 1) s += fmt::format(", num_layers={}", options_.num_layers);
  if (kind_ == CellKind::rnn_relu) s += ", nonlinearity=relu";
  if (!options_.bias) s += ", bias=false";
  if (options_.batch_first) s += ", batch_first=true";
  if (options_.dropout != 0.0) s += fmt::format(", dropout={}", options_.dropout);
  if (options_.bidirectional) s += ", bidirectional=true";
  return s + ")";
}

RNN::RNN(std::int64_t input_size, std::int64_t hidden_size, const RecurrentOptions& options,
         const std::string& nonlinearity, DType dtype, Generator& gen)
    : Recurrent(nonlinearity == "relu" ? CellKind::rnn_relu : CellKind::rnn_tanh, input_size,
                hidden_size, options, dtype, gen, "RNN") {
  if (nonlinearity != "tanh" && nonlinearity != "relu") {
    detail::fail<ValueError>("RNN: nonlinearity '{}' is not tanh or relu", nonlinearity);
  }
}

LSTM::LSTM(std::int64_t input_size, std::int64_t hidden_size, const RecurrentOptions& options,
           DType dtype, Generator& gen)
    : Recurrent(CellKind::lstm, input_size, hidden_size, options, dtype, gen, "LSTM") {}

GRU::GRU(std::int64_t input_size, std::int64_t hidden_size, const RecurrentOptions& options,
         DType dtype, Generator& gen)
    : Recurrent(CellKind::gru, input_size, hidden_size, options, dtype, gen, "GRU") {}

}  // namespace ag::nn
