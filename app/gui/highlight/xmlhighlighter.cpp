// SPDX-License-Identifier: GPL-2.0-or-later
#include "xmlhighlighter.h"

namespace httptap {

namespace {

enum State { Text = 0, InTag = 1, InComment = 2, InCData = 3, InDeclaration = 4 };

bool isNameChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u':' || c == u'-' || c == u'.';
}

} // namespace

XmlHighlighter::XmlHighlighter(QTextDocument* document, const QPalette& palette)
    : QSyntaxHighlighter(document)
    , m_palette(palette)
{
}

void XmlHighlighter::highlightBlock(const QString& text)
{
    const qsizetype n = text.size();
    int state = std::max(0, previousBlockState());
    qsizetype i = 0;
    auto paint = [&](qsizetype from, qsizetype to, TextStyle style) {
        setFormat(int(from), int(to - from), textFormat(style, m_palette));
    };
    // Paints to `end` (exclusive of nothing: end is included) or the line's end; true when found.
    auto until = [&](const QString& end, TextStyle style) {
        const qsizetype at = text.indexOf(end, i);
        const qsizetype stop = at < 0 ? n : at + end.size();
        paint(i, stop, style);
        i = stop;
        return at >= 0;
    };
    while (i < n) {
        switch (state) {
        case InComment:
            if (until(QStringLiteral("-->"), TextStyle::Comment))
                state = Text;
            break;
        case InCData:
            if (until(QStringLiteral("]]>"), TextStyle::Comment))
                state = Text;
            break;
        case InDeclaration:
            if (until(QStringLiteral(">"), TextStyle::DataType))
                state = Text;
            break;
        case InTag: {
            const QChar c = text[i];
            if (c == u'>' || (c == u'/' && i + 1 < n && text[i + 1] == u'>') || (c == u'?' && i + 1 < n && text[i + 1] == u'>')) {
                const qsizetype len = c == u'>' ? 1 : 2;
                paint(i, i + len, TextStyle::Keyword);
                i += len;
                state = Text;
            } else if (c == u'"' || c == u'\'') {
                const qsizetype close = text.indexOf(c, i + 1);
                const qsizetype stop = close < 0 ? n : close + 1;
                paint(i, stop, TextStyle::String);
                i = stop;
            } else if (isNameChar(c)) {
                const qsizetype start = i;
                while (i < n && isNameChar(text[i]))
                    ++i;
                paint(start, i, TextStyle::Others);
            } else {
                ++i;
            }
            break;
        }
        default: {
            const qsizetype lt = text.indexOf(u'<', i);
            const qsizetype amp = text.indexOf(u'&', i);
            if (amp >= 0 && (lt < 0 || amp < lt)) {
                qsizetype end = amp + 1;
                while (end < n && end - amp <= 32 && (text[end].isLetterOrNumber() || text[end] == u'#'))
                    ++end;
                if (end < n && text[end] == u';')
                    paint(amp, end + 1, TextStyle::SpecialString);
                i = end;
                break;
            }
            if (lt < 0) {
                i = n;
                break;
            }
            i = lt;
            const QStringView rest = QStringView(text).mid(lt);
            if (rest.startsWith(u"<!--")) {
                state = InComment;
                paint(i, i + 4, TextStyle::Comment);
                i += 4;
            } else if (rest.startsWith(u"<![CDATA[")) {
                state = InCData;
                paint(i, i + 9, TextStyle::Comment);
                i += 9;
            } else if (rest.startsWith(u"<!")) {
                state = InDeclaration;
            } else {
                // <name, </name or <?name: the name in Keyword, then attributes.
                qsizetype start = i;
                i += 1;
                if (i < n && (text[i] == u'/' || text[i] == u'?'))
                    ++i;
                while (i < n && isNameChar(text[i]))
                    ++i;
                paint(start, i, TextStyle::Keyword);
                state = InTag;
            }
            break;
        }
        }
    }
    setCurrentBlockState(state);
}

} // namespace httptap
