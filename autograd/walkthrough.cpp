// SPDX-License-Identifier: MIT
// render_html: the diagram (Graphviz's SVG, inline), the trace's steps as
// JSON, and a small script that steps through them. Everything is in the
// one file: it opens from disk, offline.
#include "autograd/walkthrough.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>

#include "autograd/dot.hpp"
#include "autograd/error.hpp"

namespace ag {
namespace {

using detail::Node;

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '<':
        out += "\\u003c";  // never closes the <script> it sits in
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string json_number(double x) { return std::isfinite(x) ? fmt::format("{}", x) : "null"; }

// What hovering a node shows: its label and its view's fields, one a line.
std::string node_info(const Node& n) {
  std::string text = detail::get_label(&n);
  std::string fields = n.op()->kind->view->describe(n);
  for (char& c : fields) c = c == '|' ? '\n' : c;
  return text.empty() ? fields : text + "\n" + fields;
}

std::string page_data(const detail::Diagram& d, const std::vector<TraceStep>& steps) {
  std::string nodes;
  for (const auto& [node, name] : d.value_names) {
    if (name[0] != 'v') continue;  // a collapsed box has no single value
    nodes += fmt::format("{}{}: {{\"info\": {}, \"label\": {}}}", nodes.empty() ? "" : ",\n",
                         json_string(name), json_string(node_info(*node)),
                         json_string(detail::get_label(node)));
  }
  std::string list;
  for (const TraceStep& s : steps) {
    const auto value = d.value_names.find(s.node_id), op = d.op_names.find(s.node_id),
               input = d.value_names.find(s.input_id);
    if (value == d.value_names.end() || input == d.value_names.end()) continue;
    list += fmt::format(
        "{}{{\"node\": {}, \"op\": {}, \"input\": {}, \"nodeName\": {}, \"opName\": {}, "
        "\"inputName\": {}, \"upstream\": {}, \"local\": {}, \"contribution\": {}, \"tensor\": {}, "
        "\"shape\": {}}}",
        list.empty() ? "" : ",\n", json_string(value->second),
        json_string(op == d.op_names.end() ? "" : op->second), json_string(input->second),
        json_string(s.node), json_string(s.op), json_string(s.input), json_number(s.upstream),
        json_number(s.local), json_number(s.contribution), s.tensor ? "true" : "false",
        json_string(fmt::format("{}", s.shape)));
  }
  return fmt::format("{{\"nodes\": {{{}}},\n\"steps\": [{}]}}", nodes, list);
}

// The page around the SVG: the step control, the explanation, the ledger.
constexpr std::string_view kPage = R"html(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>backward pass, step by step</title>
<style>
body { font: 14px/1.4 Helvetica, Arial, sans-serif; margin: 16px; color: #111827; }
#controls button { font-size: 14px; padding: 4px 10px; margin-right: 4px; }
#counter { margin-left: 8px; font-weight: bold; }
#explanation { margin: 10px 0; padding: 8px 10px; background: #f9fafb; border: 1px solid #e5e7eb;
  min-height: 2.8em; font-family: Menlo, Consolas, monospace; white-space: pre-wrap; }
#layout { display: flex; gap: 16px; align-items: flex-start; }
#diagram { flex: 1; overflow: auto; max-height: 78vh; border: 1px solid #e5e7eb; }
#ledger { font-family: Menlo, Consolas, monospace; font-size: 12px; border-collapse: collapse; }
#ledger td, #ledger th { padding: 2px 8px; border-bottom: 1px solid #e5e7eb; text-align: right; }
g.node.current polygon, g.node.current ellipse, g.node.current path { stroke: #dc2626; stroke-width: 3; }
g.node.operator polygon, g.node.operator ellipse { stroke: #d97706; stroke-width: 3; }
g.node.receiver polygon, g.node.receiver path { stroke: #2563eb; stroke-width: 3; }
#tooltip { position: fixed; display: none; background: #111827; color: #f9fafb; padding: 6px 8px;
  border-radius: 4px; font: 12px Menlo, Consolas, monospace; white-space: pre; pointer-events: none; }
</style></head><body>
<h2>The backward pass, one chain-rule step at a time</h2>
<div id="controls"><button id="start">&laquo; start</button><button id="back">&lsaquo; back</button><button id="next">next &rsaquo;</button><button id="end">end &raquo;</button><span id="counter"></span></div>
<div id="explanation"></div>
<div id="layout"><div id="diagram">@SVG@</div>
<table id="ledger"><thead><tr><th>value</th><th>dL/d(value) so far</th></tr></thead><tbody></tbody></table></div>
<div id="tooltip"></div>
<script id="data" type="application/json">@DATA@</script>
<script>
(function () {
  const data = JSON.parse(document.getElementById('data').textContent);
  const steps = data.steps;
  let done = 0;
  const groups = {};
  document.querySelectorAll('#diagram g.node').forEach(function (g) {
    const title = g.querySelector('title');
    if (title) groups[title.textContent] = g;
  });
  const fmt = function (x) { return x === null ? 'n/a' : Number(x).toFixed(4); };
  function mark(name, cls) { if (groups[name]) groups[name].classList.add(cls); }
  function show() {
    Object.values(groups).forEach(function (g) { g.classList.remove('current', 'operator', 'receiver'); });
    document.getElementById('counter').textContent = 'step ' + done + ' of ' + steps.length;
    const text = document.getElementById('explanation');
    const sums = {};
    if (steps.length) sums[steps[0].nodeName] = 1;  // the root: dL/dL = 1
    for (let i = 0; i < done; ++i) {
      const s = steps[i];
      if (!s.tensor) sums[s.inputName] = (sums[s.inputName] || 0) + s.contribution;
    }
    if (done === 0) {
      text.textContent = 'The root starts with dL/dL = 1. Press next (or the right arrow key) to ' +
        'take the first step of the backward pass.';
    } else {
      const s = steps[done - 1];
      mark(s.node, 'current'); mark(s.op, 'operator'); mark(s.input, 'receiver');
      if (groups[s.node]) groups[s.node].scrollIntoView({block: 'center', inline: 'center'});
      text.textContent = s.tensor
        ? s.opName + ': |dL/d(' + s.nodeName + ')| = ' + fmt(s.upstream) + ', its vector-Jacobian ' +
          'product adds a ' + s.shape + ' gradient of norm ' + fmt(s.contribution) + ' to dL/d(' + s.inputName + ')'
        : 'dL/d(' + s.nodeName + ') \u00d7 d(' + s.nodeName + ')/d(' + s.inputName + ') = ' +
          fmt(s.upstream) + ' \u00d7 ' + fmt(s.local) + ' = ' + fmt(s.contribution) +
          ', added to dL/d(' + s.inputName + ')';
    }
    const body = document.querySelector('#ledger tbody');
    body.innerHTML = '';
    Object.keys(sums).forEach(function (name) {
      const row = document.createElement('tr');
      row.innerHTML = '<td></td><td></td>';
      row.children[0].textContent = name;
      row.children[1].textContent = fmt(sums[name]);
      body.appendChild(row);
    });
  }
  function go(k) { done = Math.max(0, Math.min(steps.length, k)); show(); }
  document.getElementById('start').onclick = function () { go(0); };
  document.getElementById('back').onclick = function () { go(done - 1); };
  document.getElementById('next').onclick = function () { go(done + 1); };
  document.getElementById('end').onclick = function () { go(steps.length); };
  document.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowRight') go(done + 1);
    if (e.key === 'ArrowLeft') go(done - 1);
  });
  const tip = document.getElementById('tooltip');
  Object.keys(groups).forEach(function (name) {
    const node = data.nodes[name];
    if (!node) return;
    groups[name].addEventListener('mousemove', function (e) {
      tip.textContent = node.info; tip.style.display = 'block';
      tip.style.left = (e.clientX + 14) + 'px'; tip.style.top = (e.clientY + 14) + 'px';
    });
    groups[name].addEventListener('mouseleave', function () { tip.style.display = 'none'; });
  });
  show();
})();
</script></body></html>
)html";

void write_page(Node* root, const std::vector<TraceStep>& steps, const std::string& path) {
  const detail::Diagram d =
      detail::build_diagram(root, DotOptions{.collapse_depth = -1, .legend = true});
  std::string svg = render_svg(d.dot);
  if (const auto at = svg.find("<svg"); at != std::string::npos) svg.erase(0, at);  // no prolog
  // Cut at the markers first: neither the SVG nor the data is searched.
  const auto at_svg = kPage.find("@SVG@"), at_data = kPage.find("@DATA@");
  std::string page;
  page += kPage.substr(0, at_svg);
  page += svg;
  page += kPage.substr(at_svg + 5, at_data - at_svg - 5);
  page += page_data(d, steps);
  page += kPage.substr(at_data + 6);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << page;
  file.flush();
  if (!file) detail::fail<FileError>("render_html: cannot write '{}'", path);
}

}  // namespace

void render_html(const Scalar& root, const std::vector<TraceStep>& steps, const std::string& path) {
  write_page(root.node(), steps, path);
}
void render_html(const Tensor& root, const std::vector<TraceStep>& steps, const std::string& path) {
  write_page(root.node(), steps, path);
}
void render_html(const Scalar& root, const std::string& path) {
  render_html(root, trace_backward(root), path);
}
void render_html(const Tensor& root, const std::string& path) {
  retain_grads(root);  // the diagram shows every gradient
  render_html(root, trace_backward(root), path);
}

}  // namespace ag
