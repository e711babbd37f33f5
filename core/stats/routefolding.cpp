// SPDX-License-Identifier: GPL-2.0-or-later
#include "stats/routefolding.h"

#include <algorithm>

namespace httptap {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isHexDigit(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool isUuid(std::string_view s)
{
    if (s.size() != 36)
        return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isHexDigit(s[i]))
            return false;
    }
    return true;
}

// Hashes and object ids are long; 16 keeps short words made of a-f ("cafe", "facade") as they are.
constexpr size_t kMinHexIdLength = 16;

} // namespace

bool isIdentifierSegment(std::string_view segment)
{
    if (segment.empty())
        return false;
    if (std::all_of(segment.begin(), segment.end(), isDigit))
        return true;
    if (isUuid(segment))
        return true;
    return segment.size() >= kMinHexIdLength && std::all_of(segment.begin(), segment.end(), isHexDigit);
}

std::string_view pathOfTarget(std::string_view target)
{
    const size_t end = target.find_first_of("?#");
    if (end != std::string_view::npos)
        target = target.substr(0, end);
    // Absolute form (a request to a proxy): skip "scheme://authority".
    const size_t scheme = target.find("://");
    if (scheme != std::string_view::npos && target.find('/') > scheme) {
        const size_t pathStart = target.find('/', scheme + 3);
        target = pathStart == std::string_view::npos ? std::string_view {} : target.substr(pathStart);
    }
    return target;
}

std::string foldPath(std::string_view target)
{
    const std::string_view path = pathOfTarget(target);
    if (path.empty())
        return "/";
    if (path.front() != '/')
        return std::string(path); // "host:443", "*"
    std::string folded;
    folded.reserve(path.size());
    size_t pos = 0;
    while (pos < path.size()) {
        // path[pos] is '/'.
        folded += '/';
        const size_t next = std::min(path.find('/', pos + 1), path.size());
        const std::string_view segment = path.substr(pos + 1, next - pos - 1);
        if (isIdentifierSegment(segment))
            folded += kFoldedSegment;
        else
            folded += segment;
        pos = next;
    }
    return folded;
}

} // namespace httptap
