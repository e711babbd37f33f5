// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// What a body is, for choosing how to show it: from the declared media type
// and the bytes themselves. Images are recognised by their magic bytes
// (a PNG sent as text/plain is still a PNG; an "image/png" that is really
// HTML is not decoded as an image).

#include <QByteArray>
#include <QString>

namespace httptap {

enum class BodyKind : uint8_t { Empty, Json, Xml, Html, JavaScript, Css, Text, Image, Svg, Binary };

// Image format from magic bytes: "png", "jpeg", "gif", "webp", "bmp", "ico"; empty when none.
QByteArray imageFormatOf(const QByteArray& body);
// mimeType: lower case without parameters ("application/json"), may be empty.
BodyKind classifyBody(const QByteArray& body, const QString& mimeType);
// True for kinds shown as text (and highlighted).
bool isTextKind(BodyKind kind);

} // namespace httptap
