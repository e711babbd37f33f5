// SPDX-License-Identifier: GPL-2.0-or-later
#include "mediatype.h"

namespace httptap {

QByteArrayView mediaType(QByteArrayView contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.first(semicolon)).trimmed();
}

} // namespace httptap
