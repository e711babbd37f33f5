// SPDX-License-Identifier: GPL-2.0-or-later
#include "textescape.h"

#include <QStringDecoder>

namespace httptap {

namespace {

bool mustEscape(char16_t c)
{
    return c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

} // namespace

QString escapeControl(const QString& text, bool keepLines)
{
    QString out;
    out.reserve(text.size());
    for (const QChar qc : text) {
        const char16_t c = qc.unicode();
        if (keepLines && (c == u'\n' || c == u'\t')) {
            out += qc;
        } else if (c == u'\r') {
            out += QLatin1String("\\r");
        } else if (c == u'\n') {
            out += QLatin1String("\\n");
        } else if (c == u'\t') {
            out += QLatin1String("\\t");
        } else if (mustEscape(c)) {
            out += c <= 0xff ? QStringLiteral("\\x%1").arg(int(c), 2, 16, QLatin1Char('0'))
                             : QStringLiteral("\\u%1").arg(int(c), 4, 16, QLatin1Char('0'));
        } else {
            out += qc;
        }
    }
    return out;
}

QString escapeBytes(const QByteArray& bytes, bool keepLines)
{
    QStringDecoder decoder(QStringDecoder::Utf8);
    return escapeControl(decoder.decode(bytes), keepLines);
}

QString hexDump(const QByteArray& bytes)
{
    QString out;
    out.reserve(bytes.size() * 4 + bytes.size() / 16 * 12);
    for (qsizetype line = 0; line < bytes.size(); line += 16) {
        out += QStringLiteral("%1  ").arg(line, 8, 16, QLatin1Char('0'));
        QString ascii;
        for (qsizetype i = line; i < line + 16; ++i) {
            if (i < bytes.size()) {
                const auto b = uchar(bytes[i]);
                out += QStringLiteral("%1 ").arg(b, 2, 16, QLatin1Char('0'));
                ascii += (b >= 0x20 && b < 0x7f) ? QChar(b) : QLatin1Char('.');
            } else {
                out += QLatin1String("   ");
            }
            if (i == line + 7)
                out += QLatin1Char(' ');
        }
        out += QLatin1Char(' ') + ascii + QLatin1Char('\n');
    }
    return out;
}

bool looksLikeText(const QByteArray& bytes)
{
    const QByteArray head = bytes.left(4096);
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(head);
    if (decoder.hasError() && head.size() == bytes.size())
        return false;
    qsizetype control = 0;
    for (const QChar c : text)
        if ((c.unicode() < 0x20 && c != u'\n' && c != u'\r' && c != u'\t') || c == QChar::ReplacementCharacter)
            ++control;
    return control * 20 <= text.size();
}

} // namespace httptap
