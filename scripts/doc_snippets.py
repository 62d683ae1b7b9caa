# SPDX-License-Identifier: MIT
"""Turns the C++ code blocks of a Markdown file into one program, so that
the docs' snippets are compiled (and run) by the test suite.

```c++ blocks are declarations placed at file scope, in order; ```cpp
blocks are statements, each run in its own function by main()."""
import re
import sys

source, target = sys.argv[1], sys.argv[2]
text = open(source, encoding="utf-8").read()
blocks = re.findall(r"^```(c\+\+|cpp)\n(.*?)^```", text, flags=re.S | re.M)
out = ["// Generated from " + source + " by scripts/doc_snippets.py.",
       "#include <cmath>", "#include <cstdio>", "#include <map>", "#include <sstream>",
       "#include <stdexcept>", "#include <autograd/autograd.hpp>", '#include "autograd/nn/nn.hpp"', ""]
statements = []
for kind, code in blocks:
    if kind == "c++":
        out.append(code)
    else:
        statements.append(code)
for i, code in enumerate(statements):
    out += [f"void snippet_{i}() {{", code, "}", ""]
out.append("int main() {")
out += [f"  snippet_{i}();" for i in range(len(statements))]
out += [f'  fmt::print("{len(statements)} snippets ran\\n");', "}"]
open(target, "w", encoding="utf-8").write("\n".join(out) + "\n")
