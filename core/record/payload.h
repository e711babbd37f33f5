// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The bytes of a Data record: either a view into memory someone else owns (what
// RecordReader::next() returns, so decoding copies no payload) or its own heap
// copy (what producers, tests and anyone keeping a record build).
//
// Invariants: data() points at size() readable bytes (or is null when empty).
// Copying always makes an owning copy, so a copied record never dangles; moving
// keeps a view a view, so a moved record still depends on the viewed buffer —
// call own() before keeping it. Plain C++ (no Qt): the helper links it.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace httptap::record {

class Payload
{
public:
    Payload() = default;
    // Owning copies.
    Payload(const std::vector<uint8_t>& bytes) { assign(bytes.data(), bytes.size()); }
    Payload(std::initializer_list<uint8_t> bytes) { assign(bytes.begin(), bytes.size()); }
    static Payload copy(const uint8_t* data, size_t size)
    {
        Payload p;
        p.assign(data, size);
        return p;
    }
    // A view: the bytes must outlive the Payload (and every move of it).
    static Payload view(const uint8_t* data, size_t size)
    {
        Payload p;
        p.m_data = size ? data : nullptr;
        p.m_size = size;
        return p;
    }

    Payload(const Payload& other) { assign(other.m_data, other.m_size); }
    Payload& operator=(const Payload& other)
    {
        if (this != &other) {
            Payload copied(other);
            *this = std::move(copied);
        }
        return *this;
    }
    Payload(Payload&& other) noexcept
        : m_data(std::exchange(other.m_data, nullptr))
        , m_size(std::exchange(other.m_size, 0))
        , m_owned(std::move(other.m_owned))
    {
    }
    Payload& operator=(Payload&& other) noexcept
    {
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
        m_owned = std::move(other.m_owned);
        return *this;
    }

    const uint8_t* data() const { return m_data; }
    size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    const uint8_t* begin() const { return m_data; }
    const uint8_t* end() const { return m_data + m_size; }
    uint8_t operator[](size_t i) const { return m_data[i]; }
    std::span<const uint8_t> span() const { return { m_data, m_size }; }
    operator std::span<const uint8_t>() const { return span(); }
    std::vector<uint8_t> toVector() const { return { begin(), end() }; }

    // True while the bytes belong to someone else.
    bool isView() const { return m_size > 0 && !m_owned; }
    // Copies viewed bytes into the Payload's own storage (no-op if it owns them already).
    void own()
    {
        if (isView())
            assign(m_data, m_size);
    }
    // Keeps only the first n bytes / drops the first n bytes (n is clamped to size()).
    void truncate(size_t n) { m_size = n < m_size ? n : m_size; }
    void removePrefix(size_t n)
    {
        n = n < m_size ? n : m_size;
        m_data += n;
        m_size -= n;
    }

    friend bool operator==(const Payload& a, const Payload& b)
    {
        return a.m_size == b.m_size && (a.m_size == 0 || std::memcmp(a.m_data, b.m_data, a.m_size) == 0);
    }

private:
    void assign(const uint8_t* data, size_t size)
    {
        std::unique_ptr<uint8_t[]> owned;
        if (size) {
            owned.reset(new uint8_t[size]);
            std::memcpy(owned.get(), data, size);
        }
        m_owned = std::move(owned);
        m_data = m_owned.get();
        m_size = size;
    }

    const uint8_t* m_data = nullptr;
    size_t m_size = 0;
    std::unique_ptr<uint8_t[]> m_owned; // null for a view (and for an empty payload)
};

} // namespace httptap::record
