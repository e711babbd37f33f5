// SPDX-License-Identifier: GPL-2.0-or-later
#include "displayunits.h"

namespace httptap {

QString sizeText(uint64_t bytes)
{
    if (bytes < 1000)
        return QStringLiteral("%1 B").arg(bytes);
    if (bytes < 1000 * 1000)
        return QStringLiteral("%1 kB").arg(double(bytes) / 1e3, 0, 'f', 1);
    return QStringLiteral("%1 MB").arg(double(bytes) / 1e6, 0, 'f', 1);
}

QString durationText(uint64_t ns)
{
    if (ns < 1'000'000)
        return QStringLiteral("%1 µs").arg(double(ns) / 1e3, 0, 'f', 0);
    if (ns < 1'000'000'000)
        return QStringLiteral("%1 ms").arg(double(ns) / 1e6, 0, 'f', 0);
    return QStringLiteral("%1 s").arg(double(ns) / 1e9, 0, 'f', 2);
}

} // namespace httptap
