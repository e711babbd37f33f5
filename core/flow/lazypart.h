// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// A part of a value that most instances never have (a Flow's gRPC details, a
// message's trailers or decoded body): one pointer while absent instead of the
// part's full size in every instance, allocated on first write. Reads of an
// absent part see an empty T. Copies are deep, so the owner stays a plain
// value type (copyable, safe to hand between threads).

#include <memory>

namespace httptap {

template<typename T>
class LazyPart
{
public:
    LazyPart() = default;
    LazyPart(const LazyPart& other)
        : m_part(other.m_part ? std::make_unique<T>(*other.m_part) : nullptr)
    {
    }
    LazyPart(LazyPart&&) noexcept = default;
    LazyPart& operator=(const LazyPart& other)
    {
        if (this != &other)
            m_part = other.m_part ? std::make_unique<T>(*other.m_part) : nullptr;
        return *this;
    }
    LazyPart& operator=(LazyPart&&) noexcept = default;

    bool present() const { return bool(m_part); }
    const T& get() const { return m_part ? *m_part : empty(); }
    // The part, allocated (empty) if it was absent.
    T& edit()
    {
        if (!m_part)
            m_part = std::make_unique<T>();
        return *m_part;
    }
    void reset() { m_part.reset(); }

private:
    static const T& empty()
    {
        static const T instance;
        return instance;
    }

    std::unique_ptr<T> m_part;
};

} // namespace httptap
