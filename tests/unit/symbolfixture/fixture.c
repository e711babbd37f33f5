// SPDX-License-Identifier: GPL-2.0-or-later
// Known functions for tst_elfsymboltable: an exported one, a file-local one (in .symtab only,
// gone when stripped) and, in widget.cpp, a C++ method whose name must come back demangled.

__attribute__((noinline, used)) static int fixture_static(int x)
{
    return x * 3 + 1;
}

__attribute__((noinline)) int fixture_public(int x)
{
    return fixture_static(x) + 7;
}
