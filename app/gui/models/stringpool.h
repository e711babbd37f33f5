// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Interned strings for the flow table: a row stores a 32-bit id instead of a
// QString, so a million rows with a few hundred distinct hosts, processes and
// types cost a few bytes each. Id 0 is the empty string. GUI thread only;
// ranks() gives a snapshot (id → alphabetical position) for sorting elsewhere.

#include <QHash>
#include <QString>

#include <vector>

namespace httptap {

class StringPool
{
public:
    StringPool() { clear(); }

    uint32_t intern(const QString& text);
    const QString& at(uint32_t id) const { return m_strings[id]; }
    size_t size() const { return m_strings.size(); }
    // Position of each id when the strings are sorted case-insensitively.
    std::vector<uint32_t> ranks() const;
    void clear();

private:
    std::vector<QString> m_strings;
    QHash<QString, uint32_t> m_ids;
};

} // namespace httptap
