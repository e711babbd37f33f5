// SPDX-License-Identifier: GPL-2.0-or-later
#include "jsonpretty.h"

#include <vector>

namespace httptap {

namespace {

constexpr int kMaxDepth = 512;

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool isScalarChar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '+' || c == '.';
}

// RFC 8259 number: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
bool isNumber(const char* p, qsizetype n)
{
    qsizetype i = 0;
    auto digits = [&] {
        const qsizetype start = i;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            ++i;
        return i > start;
    };
    if (i < n && p[i] == '-')
        ++i;
    if (i < n && p[i] == '0')
        ++i;
    else if (!digits())
        return false;
    if (i < n && p[i] == '.') {
        ++i;
        if (!digits())
            return false;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        ++i;
        if (i < n && (p[i] == '+' || p[i] == '-'))
            ++i;
        if (!digits())
            return false;
    }
    return i == n;
}

bool isHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// What may come next.
enum class Expect { Value, ValueOrClose, Key, KeyOrClose, Colon, CommaOrClose, End };

class Formatter {
public:
    Formatter(const QByteArray& input, qsizetype maxOutput)
        : m_in(input)
        , m_max(maxOutput)
    {
        const qsizetype guess = input.size() + input.size() / 2;
        m_out.reserve(m_max >= 0 ? std::min(guess, m_max) : guess);
    }

    PrettyJson run()
    {
        PrettyJson result;
        result.valid = parse();
        result.complete = !m_cut;
        if (result.valid && !m_cut)
            put("\n", 1);
        result.text = std::move(m_out);
        return result;
    }

private:
    void put(const char* p, qsizetype n)
    {
        if (m_cut)
            return;
        if (m_max >= 0 && m_out.size() + n > m_max) {
            m_out.append(p, std::max<qsizetype>(0, m_max - m_out.size()));
            m_cut = true;
            return;
        }
        m_out.append(p, n);
    }
    void newline()
    {
        put("\n", 1);
        for (size_t i = 0; i < m_stack.size() && !m_cut; ++i)
            put("    ", 4);
    }
    qsizetype skipSpace(qsizetype i) const
    {
        while (i < m_in.size() && isSpace(m_in[i]))
            ++i;
        return i;
    }
    void afterValue() { m_expect = m_stack.empty() ? Expect::End : Expect::CommaOrClose; }

    bool parse()
    {
        const char* p = m_in.constData();
        const qsizetype n = m_in.size();
        qsizetype i = 0;
        while (true) {
            i = skipSpace(i);
            if (i >= n)
                return m_expect == Expect::End;
            const char c = p[i];
            switch (c) {
            case '{':
            case '[': {
                if (m_expect != Expect::Value && m_expect != Expect::ValueOrClose)
                    return false;
                if (m_stack.size() >= size_t(kMaxDepth))
                    return false;
                const char close = c == '{' ? '}' : ']';
                put(&c, 1);
                const qsizetype next = skipSpace(i + 1);
                if (next < n && p[next] == close) { // {} and [] stay on one line
                    put(&close, 1);
                    i = next + 1;
                    afterValue();
                    break;
                }
                m_stack.push_back(c);
                m_expect = c == '{' ? Expect::KeyOrClose : Expect::ValueOrClose;
                newline();
                ++i;
                break;
            }
            case '}':
            case ']': {
                const char open = c == '}' ? '{' : '[';
                if (m_stack.empty() || m_stack.back() != open || m_expect != Expect::CommaOrClose)
                    return false;
                m_stack.pop_back();
                newline();
                put(&c, 1);
                ++i;
                afterValue();
                break;
            }
            case ',':
                if (m_expect != Expect::CommaOrClose)
                    return false;
                put(",", 1);
                newline();
                m_expect = m_stack.back() == '{' ? Expect::Key : Expect::Value;
                ++i;
                break;
            case ':':
                if (m_expect != Expect::Colon)
                    return false;
                put(": ", 2);
                m_expect = Expect::Value;
                ++i;
                break;
            case '"': {
                const bool key = m_expect == Expect::Key || m_expect == Expect::KeyOrClose;
                if (!key && m_expect != Expect::Value && m_expect != Expect::ValueOrClose)
                    return false;
                const qsizetype start = i++;
                while (i < n && p[i] != '"') {
                    if (uchar(p[i]) < 0x20)
                        return false;
                    if (p[i] == '\\') {
                        if (i + 1 >= n)
                            return false;
                        const char e = p[i + 1];
                        if (e == 'u') {
                            if (i + 5 >= n || !isHex(p[i + 2]) || !isHex(p[i + 3]) || !isHex(p[i + 4]) || !isHex(p[i + 5]))
                                return false;
                            i += 6;
                            continue;
                        }
                        if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't')
                            return false;
                        i += 2;
                        continue;
                    }
                    ++i;
                }
                if (i >= n)
                    return false;
                ++i;
                put(p + start, i - start);
                if (key)
                    m_expect = Expect::Colon;
                else
                    afterValue();
                break;
            }
            default: {
                if (m_expect != Expect::Value && m_expect != Expect::ValueOrClose)
                    return false;
                const qsizetype start = i;
                while (i < n && isScalarChar(p[i]))
                    ++i;
                const qsizetype len = i - start;
                const QByteArrayView word(p + start, len);
                if (len == 0 || !(word == "true" || word == "false" || word == "null" || isNumber(p + start, len)))
                    return false;
                put(p + start, len);
                afterValue();
                break;
            }
            }
        }
    }

    const QByteArray& m_in;
    const qsizetype m_max;
    QByteArray m_out;
    std::vector<char> m_stack;
    Expect m_expect = Expect::Value;
    bool m_cut = false;
};

} // namespace

PrettyJson prettyJson(const QByteArray& input, qsizetype maxOutput)
{
    return Formatter(input, maxOutput).run();
}

} // namespace httptap
