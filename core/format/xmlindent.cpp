// SPDX-License-Identifier: GPL-2.0-or-later
#include "xmlindent.h"

#include <QList>

namespace httptap {

namespace {

constexpr int kMaxIndentLevels = 64;

enum class Kind { Open, Close, Leaf, Text };

struct Token {
    Kind kind;
    qsizetype start;
    qsizetype end; // exclusive
};

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The end (exclusive) of the markup starting at '<' in `at`; -1 when unterminated.
qsizetype markupEnd(const QByteArray& in, qsizetype at, Kind* kind)
{
    auto until = [&](const char* marker) {
        const qsizetype found = in.indexOf(marker, at);
        return found < 0 ? qsizetype(-1) : found + qsizetype(qstrlen(marker));
    };
    const QByteArrayView rest = QByteArrayView(in).sliced(at);
    *kind = Kind::Leaf;
    if (rest.startsWith("<!--"))
        return until("-->");
    if (rest.startsWith("<![CDATA["))
        return until("]]>");
    if (rest.startsWith("<?"))
        return until("?>");
    if (rest.startsWith("<!"))
        return until(">");
    *kind = rest.startsWith("</") ? Kind::Close : Kind::Open;
    char quote = 0;
    for (qsizetype i = at + 1; i < in.size(); ++i) {
        const char c = in[i];
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '>') {
            if (*kind == Kind::Open && in[i - 1] == '/')
                *kind = Kind::Leaf; // <empty/>
            return i + 1;
        }
    }
    return -1;
}

} // namespace

std::optional<IndentedXml> indentXml(const QByteArray& input, qsizetype maxOutput)
{
    qsizetype first = 0;
    while (first < input.size() && isSpace(input[first]))
        ++first;
    if (first >= input.size() || input[first] != '<')
        return std::nullopt;
    // Already laid out in lines (one per KiB or more on average): leave it.
    if (input.count('\n') > input.size() / 1024)
        return std::nullopt;

    QList<Token> tokens;
    qsizetype i = first;
    while (i < input.size()) {
        if (input[i] == '<') {
            Kind kind;
            const qsizetype end = markupEnd(input, i, &kind);
            if (end < 0) { // cut short: the rest as one piece
                tokens.append({ Kind::Text, i, input.size() });
                break;
            }
            tokens.append({ kind, i, end });
            i = end;
            continue;
        }
        qsizetype end = input.indexOf('<', i);
        if (end < 0)
            end = input.size();
        qsizetype s = i, e = end;
        while (s < e && isSpace(input[s]))
            ++s;
        while (e > s && isSpace(input[e - 1]))
            --e;
        if (s < e)
            tokens.append({ Kind::Text, s, e });
        i = end;
    }

    if (tokens.size() <= 1) // nothing to lay out
        return std::nullopt;
    IndentedXml out;
    QByteArray& text = out.text;
    int depth = 0;
    auto line = [&](std::initializer_list<const Token*> parts) {
        if (maxOutput >= 0 && text.size() >= maxOutput) {
            out.complete = false;
            return;
        }
        text.append(QByteArray(2 * std::min(depth, kMaxIndentLevels), ' '));
        for (const Token* t : parts)
            text.append(input.constData() + t->start, t->end - t->start);
        text.append('\n');
    };
    for (qsizetype t = 0; t < tokens.size() && out.complete; ++t) {
        const Token& tok = tokens[t];
        switch (tok.kind) {
        case Kind::Open:
            if (t + 2 < tokens.size() && tokens[t + 1].kind == Kind::Text && tokens[t + 2].kind == Kind::Close) {
                line({ &tok, &tokens[t + 1], &tokens[t + 2] });
                t += 2;
            } else if (t + 1 < tokens.size() && tokens[t + 1].kind == Kind::Close) {
                line({ &tok, &tokens[t + 1] });
                t += 1;
            } else {
                line({ &tok });
                ++depth;
            }
            break;
        case Kind::Close:
            depth = std::max(0, depth - 1);
            line({ &tok });
            break;
        case Kind::Leaf:
        case Kind::Text:
            line({ &tok });
            break;
        }
    }
    if (maxOutput >= 0 && text.size() > maxOutput) {
        text.truncate(maxOutput);
        out.complete = false;
    }
    return out;
}

} // namespace httptap
