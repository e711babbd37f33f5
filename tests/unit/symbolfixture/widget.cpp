// SPDX-License-Identifier: GPL-2.0-or-later
namespace fixture {

struct Widget {
    int compute(int x);
};

__attribute__((noinline)) int Widget::compute(int x)
{
    return x * 5 - 2;
}

} // namespace fixture

extern "C" int fixture_widget(int x)
{
    return fixture::Widget().compute(x);
}
