// SPDX-License-Identifier: GPL-2.0-or-later
#include "recenttexts.h"

#include "headertext.h"

#include <cstring>

namespace httptap {

QByteArray RecentTexts::text(const char* at, size_t size)
{
    // Most texts are common ones (header names above all): static storage, no search of the slots.
    QByteArray common = commonHeaderText(at, size);
    if (!common.isNull())
        return common;
    if (size == 0)
        return QByteArray();
    for (const QByteArray& recent : m_slots) {
        if (size_t(recent.size()) == size && std::memcmp(recent.constData(), at, size) == 0)
            return recent;
    }
    QByteArray made(at, qsizetype(size));
    if (size <= kMaxRemembered) { // a long text is not kept alive
        m_slots[m_next] = made;
        m_next = (m_next + 1) % kSlots;
    }
    return made;
}

void RecentTexts::clear()
{
    for (QByteArray& slot : m_slots)
        slot = QByteArray();
    m_next = 0;
}

} // namespace httptap
