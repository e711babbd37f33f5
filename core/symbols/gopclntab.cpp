// SPDX-License-Identifier: GPL-2.0-or-later
#include "gopclntab.h"

#include <cstring>

namespace httptap {

namespace {

constexpr uint32_t kMagicGo116 = 0xfffffffa;
constexpr uint32_t kMagicGo118 = 0xfffffff0;
constexpr uint32_t kMagicGo120 = 0xfffffff1;
constexpr uint64_t kMaxNameBytes = 1024; // longer names are cut: they only label a frame

// a + b ≤ limit without overflowing.
bool fits(uint64_t a, uint64_t b, uint64_t limit)
{
    return a <= limit && b <= limit - a;
}

} // namespace

bool GoPclnTab::readU32(uint64_t offset, uint32_t* value) const
{
    if (!fits(offset, 4, uint64_t(m_data.size())))
        return false;
    const auto* p = reinterpret_cast<const uint8_t*>(m_data.constData()) + offset;
    *value = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
    return true;
}

bool GoPclnTab::readWord(uint64_t offset, uint64_t* value) const
{
    if (!fits(offset, m_ptrSize, uint64_t(m_data.size())))
        return false;
    const auto* p = reinterpret_cast<const uint8_t*>(m_data.constData()) + offset;
    uint64_t v = 0;
    for (int i = m_ptrSize - 1; i >= 0; --i)
        v = v << 8 | p[i];
    *value = v;
    return true;
}

std::optional<GoPclnTab> GoPclnTab::parse(QByteArray sectionBytes, uint64_t textAddress)
{
    GoPclnTab t;
    t.m_data = std::move(sectionBytes);
    uint32_t magic = 0;
    if (!t.readU32(0, &magic) || t.m_data.size() < 8)
        return std::nullopt;
    if (magic != kMagicGo116 && magic != kMagicGo118 && magic != kMagicGo120)
        return std::nullopt;
    t.m_go118 = magic != kMagicGo116;
    const auto* head = reinterpret_cast<const uint8_t*>(t.m_data.constData());
    t.m_ptrSize = head[7];
    if (head[4] != 0 || head[5] != 0 || (t.m_ptrSize != 4 && t.m_ptrSize != 8))
        return std::nullopt;
    const uint64_t w = t.m_ptrSize;
    // Header words after the 8 fixed bytes: nfunc, nfiles, [textStart (1.18+)], funcnameOffset,
    // cuOffset, filetabOffset, pctabOffset, funcdataOffset.
    uint64_t word = 8;
    auto next = [&](uint64_t* v) {
        const bool ok = t.readWord(word, v);
        word += w;
        return ok;
    };
    uint64_t nfiles = 0, cuOffset = 0, filetabOffset = 0, pctabOffset = 0;
    if (!next(&t.m_nfunc) || !next(&nfiles))
        return std::nullopt;
    if (t.m_go118 && !next(&t.m_textStart))
        return std::nullopt;
    if (!next(&t.m_funcnameOffset) || !next(&cuOffset) || !next(&filetabOffset) || !next(&pctabOffset)
        || !next(&t.m_funcdataOffset))
        return std::nullopt;
    // A position-independent build leaves textStart to a dynamic relocation (0 in the file).
    if (t.m_go118 && t.m_textStart == 0)
        t.m_textStart = textAddress;
    const uint64_t size = uint64_t(t.m_data.size());
    const uint64_t entryBytes = t.m_go118 ? 8 : 2 * w;
    if (t.m_nfunc == 0 || t.m_funcnameOffset >= size || t.m_funcdataOffset >= size
        || t.m_nfunc > (size - t.m_funcdataOffset) / entryBytes - 1)
        return std::nullopt;
    return t;
}

bool GoPclnTab::entryAt(uint64_t i, uint64_t* entry) const
{
    if (m_go118) {
        uint32_t off = 0;
        if (!readU32(m_funcdataOffset + i * 8, &off))
            return false;
        *entry = m_textStart + off;
        return true;
    }
    return readWord(m_funcdataOffset + i * 2 * m_ptrSize, entry);
}

std::optional<GoPclnTab::Function> GoPclnTab::lookup(uint64_t pc) const
{
    uint64_t first = 0, end = 0;
    if (!entryAt(0, &first) || !entryAt(m_nfunc, &end) || pc < first || pc >= end)
        return std::nullopt;
    // Last slot whose entry ≤ pc (entries ascend; a hostile table only makes the answer wrong).
    uint64_t lo = 0, hi = m_nfunc; // invariant: entry(lo) ≤ pc < entry(hi)
    while (hi - lo > 1) {
        const uint64_t mid = lo + (hi - lo) / 2;
        uint64_t e = 0;
        if (!entryAt(mid, &e))
            return std::nullopt;
        (e <= pc ? lo : hi) = mid;
    }
    uint64_t entry = 0, funcOffset = 0;
    if (!entryAt(lo, &entry))
        return std::nullopt;
    if (m_go118) {
        uint32_t off = 0;
        if (!readU32(m_funcdataOffset + lo * 8 + 4, &off))
            return std::nullopt;
        funcOffset = off;
    } else if (!readWord(m_funcdataOffset + lo * 2 * m_ptrSize + m_ptrSize, &funcOffset)) {
        return std::nullopt;
    }
    // _func: entry (uint32 offset in 1.18+, else a pointer), then nameOff (int32) into funcnametab.
    const uint64_t nameField = m_go118 ? 4 : m_ptrSize;
    if (!fits(m_funcdataOffset, funcOffset, uint64_t(m_data.size())))
        return std::nullopt;
    uint32_t nameOff = 0;
    if (!readU32(m_funcdataOffset + funcOffset + nameField, &nameOff) || int32_t(nameOff) < 0)
        return std::nullopt;
    const uint64_t nameAt = m_funcnameOffset + nameOff;
    if (!fits(m_funcnameOffset, nameOff, uint64_t(m_data.size())) || nameAt >= uint64_t(m_data.size()))
        return std::nullopt;
    const char* name = m_data.constData() + nameAt;
    const uint64_t room = std::min<uint64_t>(uint64_t(m_data.size()) - nameAt, kMaxNameBytes);
    const void* nul = std::memchr(name, 0, room);
    const size_t length = nul ? size_t(static_cast<const char*>(nul) - name) : size_t(room);
    if (length == 0)
        return std::nullopt;
    return Function { std::string(name, length), entry };
}

} // namespace httptap
