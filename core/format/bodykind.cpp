// SPDX-License-Identifier: GPL-2.0-or-later
#include "bodykind.h"

#include "export/utf8.h"

namespace httptap {

namespace {

QByteArrayView leadingText(const QByteArray& body)
{
    QByteArrayView view(body.constData(), std::min<qsizetype>(body.size(), 1024));
    if (view.startsWith("\xef\xbb\xbf"))
        view = view.sliced(3);
    while (!view.isEmpty() && (view.front() == ' ' || view.front() == '\t' || view.front() == '\r' || view.front() == '\n'))
        view = view.sliced(1);
    return view;
}

bool startsWithNoCase(QByteArrayView text, QByteArrayView prefix)
{
    return text.size() >= prefix.size() && text.first(prefix.size()).compare(prefix, Qt::CaseInsensitive) == 0;
}

bool looksLikeSvg(QByteArrayView lead)
{
    if (startsWithNoCase(lead, "<svg"))
        return true;
    // An XML declaration or comments before <svg: look a little further.
    return (lead.startsWith("<?xml") || lead.startsWith("<!--") || lead.startsWith("<!DOCTYPE svg"))
        && lead.indexOf("<svg") >= 0;
}

// Valid UTF-8 in the first 4 KiB (a character cut at the end is fine), few control characters.
bool textual(const QByteArray& body)
{
    QByteArray head = body.left(4096);
    // Drop a multi-byte sequence cut by the 4 KiB window.
    for (int back = 1; back <= 3 && back <= head.size(); ++back) {
        const uchar c = uchar(head[head.size() - back]);
        if ((c & 0xc0) == 0xc0) {
            head.chop(back);
            break;
        }
        if ((c & 0x80) == 0)
            break;
    }
    if (!isValidUtf8(head))
        return false;
    qsizetype control = 0;
    for (const char c : std::as_const(head))
        if (uchar(c) < 0x20 && c != '\n' && c != '\r' && c != '\t')
            ++control;
    return control * 20 <= head.size();
}

} // namespace

QByteArray imageFormatOf(const QByteArray& body)
{
    const QByteArrayView b(body);
    if (b.startsWith("\x89PNG\r\n\x1a\n"))
        return "png";
    if (b.startsWith("\xff\xd8\xff"))
        return "jpeg";
    if (b.startsWith("GIF87a") || b.startsWith("GIF89a"))
        return "gif";
    if (b.size() >= 12 && b.startsWith("RIFF") && b.sliced(8, 4) == "WEBP")
        return "webp";
    if (b.size() >= 14 && b.startsWith("BM"))
        return "bmp";
    if (b.size() >= 6 && b.startsWith(QByteArrayView("\x00\x00\x01\x00", 4)))
        return "ico";
    return {};
}

BodyKind classifyBody(const QByteArray& body, const QString& mimeType)
{
    if (body.isEmpty())
        return BodyKind::Empty;
    if (!imageFormatOf(body).isEmpty())
        return BodyKind::Image;
    const QByteArrayView lead = leadingText(body);
    const QString& m = mimeType;
    if (m == QLatin1String("image/svg+xml") || ((m.isEmpty() || m.contains(QLatin1String("xml"))) && looksLikeSvg(lead)))
        return BodyKind::Svg;
    // A declared text type stays text (escaped) even with a few control characters in it; anything
    // else must look like text to be shown as text.
    const bool declaredText = m.startsWith(QLatin1String("text/")) || m.contains(QLatin1String("json"))
        || m.contains(QLatin1String("xml")) || m.contains(QLatin1String("javascript"));
    if (!declaredText && !textual(body))
        return BodyKind::Binary;
    if (m.endsWith(QLatin1String("json")) || m.endsWith(QLatin1String("+json")))
        return BodyKind::Json;
    if (m.contains(QLatin1String("html")))
        return BodyKind::Html;
    if (m.endsWith(QLatin1String("xml")))
        return BodyKind::Xml;
    if (m.contains(QLatin1String("javascript")) || m.contains(QLatin1String("ecmascript")))
        return BodyKind::JavaScript;
    if (m == QLatin1String("text/css"))
        return BodyKind::Css;
    // Unlabelled or generic text: look at the first character.
    if (m.isEmpty() || m == QLatin1String("text/plain") || m == QLatin1String("application/octet-stream")) {
        if (lead.startsWith("{") || lead.startsWith("["))
            return BodyKind::Json;
        if (startsWithNoCase(lead, "<!doctype html") || startsWithNoCase(lead, "<html"))
            return BodyKind::Html;
        if (lead.startsWith("<?xml"))
            return BodyKind::Xml;
    }
    return BodyKind::Text;
}

bool isTextKind(BodyKind kind)
{
    switch (kind) {
    case BodyKind::Json:
    case BodyKind::Xml:
    case BodyKind::Html:
    case BodyKind::JavaScript:
    case BodyKind::Css:
    case BodyKind::Text:
    case BodyKind::Svg:
        return true;
    default:
        return false;
    }
}

} // namespace httptap
