// SPDX-License-Identifier: GPL-2.0-or-later
#include "recenttexts.h"

#include "headertext.h"

#include <cstring>

namespace httptap {

QByteArray RecentTexts::text(const char* at, size_t size)
{
    for (const QByteArray& recent : m_slots) {
        if (size_t(recent.size()) == size && size > 0 && std::memcmp(recent.constData(), at, size) == 0)
            return recent;
    }
    QByteArray made = headerText(at, size);
    // Static storage (not detached: nothing allocated) needs no sharing; a long text is not kept alive.
    if (made.isDetached() && size <= kMaxRemembered) {
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
