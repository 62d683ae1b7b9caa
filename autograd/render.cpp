// SPDX-License-Identifier: MIT
// Rendering DOT text to SVG/PNG: in process through libgvc when the build
// found it (AG_HAVE_GVC), otherwise by running Graphviz's `dot` program.
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "autograd/dot.hpp"
#include "autograd/error.hpp"

#ifdef AG_HAVE_GVC
#include <graphviz/gvc.h>
#endif

extern char** environ;

namespace ag {
namespace {

std::string output_format(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (ext != ".svg" && ext != ".png") {
    detail::fail<ValueError>("render: cannot tell the format of '{}': use a .svg or .png path",
                             path);
  }
  return ext.substr(1);
}

[[maybe_unused]] bool dot_on_path() {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::string_view rest(path);
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const std::filesystem::path dir(rest.substr(0, colon));
    std::error_code ec;
    if (std::filesystem::is_regular_file(dir / "dot", ec)) return true;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return false;
}

#ifdef AG_HAVE_GVC
// One Graphviz context for the whole process: Graphviz 2.43's pango plugin
// keeps font data across contexts, so freeing one and making another reads
// freed memory (AddressSanitizer found it). Graphviz is not thread-safe:
// renders are serialised.
std::mutex gvc_mutex;
GVC_t* shared_context() {
  static GVC_t* gvc = gvContext();
  return gvc;
}

std::string svg_in_process(std::string_view dot) {
  const std::string text(dot);
  std::lock_guard lock(gvc_mutex);
  GVC_t* gvc = shared_context();
  Agraph_t* graph = agmemread(text.c_str());
  std::string svg;
  bool ok = graph && gvLayout(gvc, graph, "dot") == 0;
  if (ok) {
    char* data = nullptr;
    unsigned int length = 0;
    ok = gvRenderData(gvc, graph, "svg", &data, &length) == 0;
    if (ok) svg.assign(data, length);
    gvFreeRenderData(data);
  }
  if (graph) {
    gvFreeLayout(gvc, graph);
    agclose(graph);
  }
  if (!ok) detail::fail<RenderError>("render_svg: Graphviz (libgvc) failed to lay out the graph");
  return svg;
}

void render_in_process(std::string_view dot, const std::string& path, const std::string& format) {
  // We open the file ourselves: gvRenderFilename reports success even when
  // it cannot open the path.
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) detail::fail<RenderError>("render: cannot open '{}': {}", path, std::strerror(errno));
  const std::string text(dot);
  std::lock_guard lock(gvc_mutex);
  GVC_t* gvc = shared_context();
  Agraph_t* graph = agmemread(text.c_str());
  bool ok = graph && gvLayout(gvc, graph, "dot") == 0;
  if (ok) ok = gvRender(gvc, graph, format.c_str(), file) == 0;
  if (graph) {
    gvFreeLayout(gvc, graph);
    agclose(graph);
  }
  ok = std::fclose(file) == 0 && ok;
  if (!ok) detail::fail<RenderError>("render: Graphviz (libgvc) failed to write '{}'", path);
}
#endif

// `dot -T<format> -o <path> <file>`, spawned without a shell.
[[maybe_unused]] void render_with_program(std::string_view dot, const std::string& path,
                                          const std::string& format) {
  const std::string input = path + ".tmp.dot";
  {
    std::ofstream file(input, std::ios::binary);
    file << dot;
    if (!file) detail::fail<RenderError>("render: cannot write the temporary file '{}'", input);
  }
  std::string type = "-T" + format;
  std::string out_flag = "-o";
  std::string program = "dot";
  std::string out_path = path;
  std::string in_path = input;
  char* argv[] = {program.data(),  type.data(),    out_flag.data(),
                  out_path.data(), in_path.data(), nullptr};
  pid_t pid = 0;
  const int spawn_error = posix_spawnp(&pid, "dot", nullptr, nullptr, argv, environ);
  int status = 0;
  if (spawn_error == 0) waitpid(pid, &status, 0);
  std::filesystem::remove(input);
  if (spawn_error != 0) {
    detail::fail<RenderError>("render: could not run Graphviz's 'dot' program: {}",
                              std::strerror(spawn_error));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    detail::fail<RenderError>("render: 'dot -T{}' failed writing '{}' (exit status {})", format,
                              path, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }
}

}  // namespace

bool can_render() {
#ifdef AG_HAVE_GVC
  return true;
#else
  return dot_on_path();
#endif
}

std::string render_svg(std::string_view dot) {
#ifdef AG_HAVE_GVC
  return svg_in_process(dot);
#else
  if (!dot_on_path()) {
    detail::fail<RenderError>(
        "render_svg: Graphviz is missing: this build has no libgvc and there is no 'dot' program "
        "on PATH (Debian: apt-get install graphviz)");
  }
  std::string dir = (std::filesystem::temp_directory_path() / "autograd-svg-XXXXXX").string();
  if (!::mkdtemp(dir.data())) {
    detail::fail<RenderError>("render_svg: cannot make a temporary directory: {}",
                              std::strerror(errno));
  }
  const std::string path = dir + "/graph.svg";
  try {
    render_with_program(dot, path, "svg");
  } catch (...) {
    std::filesystem::remove_all(dir);
    throw;
  }
  std::ifstream file(path, std::ios::binary);
  const std::string svg{std::istreambuf_iterator<char>(file), {}};
  std::filesystem::remove_all(dir);
  return svg;
#endif
}

void render_dot(std::string_view dot, const std::string& path) {
  const std::string format = output_format(path);
#ifdef AG_HAVE_GVC
  render_in_process(dot, path, format);
#else
  if (!dot_on_path()) {
    detail::fail<RenderError>(
        "render: Graphviz is missing: this build has no libgvc and there is no 'dot' program on "
        "PATH (Debian: apt-get install graphviz); to_dot() still gives the DOT text");
  }
  render_with_program(dot, path, format);
#endif
}

}  // namespace ag
