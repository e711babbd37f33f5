// SPDX-License-Identifier: GPL-2.0-or-later
#include "mediatype.h"

#include "headertext.h"

namespace httptap {

QByteArrayView mediaType(QByteArrayView contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.first(semicolon)).trimmed();
}

bool isEventStreamType(QByteArrayView contentType)
{
    constexpr QByteArrayView kEventStream("text/event-stream");
    while (!contentType.isEmpty()
        && (contentType.front() == ' ' || (contentType.front() >= '\t' && contentType.front() <= '\r')))
        contentType = contentType.sliced(1); // leading blanks, as trimmed() drops them
    if (contentType.size() < kEventStream.size() || (contentType.front() | 0x20) != 't')
        return false;
    return sameNameIgnoringCase(mediaType(contentType), kEventStream);
}

} // namespace httptap
