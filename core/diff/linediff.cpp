// SPDX-License-Identifier: GPL-2.0-or-later
#include "linediff.h"

#include <QHash>

#include <algorithm>
#include <vector>

namespace httptap {

namespace {

using Kind = DiffOp::Kind;

// Lines become small integers (equal lines, equal ids) so the search compares ints.
void intern(const QStringList& left, const QStringList& right, std::vector<int>& a, std::vector<int>& b)
{
    QHash<QString, int> ids;
    auto id = [&](const QString& line) { return *ids.insert(line, int(ids.size())); };
    auto idOf = [&](const QString& line) {
        const auto it = ids.constFind(line);
        return it != ids.constEnd() ? *it : id(line);
    };
    a.reserve(size_t(left.size()));
    b.reserve(size_t(right.size()));
    for (const QString& line : left)
        a.push_back(idOf(line));
    for (const QString& line : right)
        b.push_back(idOf(line));
}

// Myers on a[aBegin, aEnd) and b[bBegin, bEnd); appends ops, or returns false past maxEdits.
bool myers(const std::vector<int>& a, int aBegin, int aEnd, const std::vector<int>& b, int bBegin, int bEnd,
    int maxEdits, QList<DiffOp>& out)
{
    const int n = aEnd - aBegin;
    const int m = bEnd - bBegin;
    const int limit = std::min(maxEdits, n + m);
    const int offset = limit + 1;
    std::vector<int> v(size_t(2 * limit + 3), 0);
    // trace[d] holds v[-d-1 .. d+1] as it was before step d.
    std::vector<std::vector<int>> trace;
    int found = -1;
    for (int d = 0; d <= limit && found < 0; ++d) {
        trace.emplace_back(v.begin() + (offset - d - 1), v.begin() + (offset + d + 2));
        for (int k = -d; k <= d; k += 2) {
            int x = (k == -d || (k != d && v[size_t(offset + k - 1)] < v[size_t(offset + k + 1)]))
                ? v[size_t(offset + k + 1)]
                : v[size_t(offset + k - 1)] + 1;
            int y = x - k;
            while (x < n && y < m && a[size_t(aBegin + x)] == b[size_t(bBegin + y)])
                ++x, ++y;
            v[size_t(offset + k)] = x;
            if (x >= n && y >= m) {
                found = d;
                break;
            }
        }
    }
    if (found < 0)
        return false;

    QList<DiffOp> reversed;
    int x = n, y = m;
    for (int d = found; d >= 0; --d) {
        const std::vector<int>& prev = trace[size_t(d)];
        auto at = [&](int k) { return prev[size_t(k + d + 1)]; };
        const int k = x - y;
        const int prevK = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1;
        const int prevX = d == 0 ? 0 : at(prevK);
        const int prevY = d == 0 ? 0 : prevX - prevK;
        while (x > prevX && y > prevY) {
            --x, --y;
            reversed.append({ Kind::Equal, aBegin + x, bBegin + y });
        }
        if (d > 0) {
            if (x == prevX)
                reversed.append({ Kind::Added, -1, bBegin + prevY });
            else
                reversed.append({ Kind::Removed, aBegin + prevX, -1 });
        }
        x = prevX, y = prevY;
    }
    std::reverse(reversed.begin(), reversed.end());
    out += reversed;
    return true;
}

} // namespace

QList<DiffOp> diffLines(const QStringList& left, const QStringList& right, int maxEdits)
{
    std::vector<int> a, b;
    intern(left, right, a, b);
    const int n = int(a.size()), m = int(b.size());
    int prefix = 0;
    while (prefix < n && prefix < m && a[size_t(prefix)] == b[size_t(prefix)])
        ++prefix;
    int suffix = 0;
    while (suffix < n - prefix && suffix < m - prefix && a[size_t(n - 1 - suffix)] == b[size_t(m - 1 - suffix)])
        ++suffix;

    QList<DiffOp> ops;
    ops.reserve(std::max(n, m));
    for (int i = 0; i < prefix; ++i)
        ops.append({ Kind::Equal, i, i });
    if (!myers(a, prefix, n - suffix, b, prefix, m - suffix, std::max(0, maxEdits), ops)) {
        for (int i = prefix; i < n - suffix; ++i)
            ops.append({ Kind::Removed, i, -1 });
        for (int j = prefix; j < m - suffix; ++j)
            ops.append({ Kind::Added, -1, j });
    }
    for (int i = 0; i < suffix; ++i)
        ops.append({ Kind::Equal, n - suffix + i, m - suffix + i });
    return ops;
}

QList<DiffRow> sideBySide(const QList<DiffOp>& ops)
{
    QList<DiffRow> rows;
    rows.reserve(ops.size());
    for (qsizetype i = 0; i < ops.size();) {
        if (ops[i].kind == Kind::Equal) {
            rows.append({ DiffRow::Kind::Equal, ops[i].left, ops[i].right });
            ++i;
            continue;
        }
        QList<int> removed, added;
        for (; i < ops.size() && ops[i].kind != Kind::Equal; ++i) {
            if (ops[i].kind == Kind::Removed)
                removed << ops[i].left;
            else
                added << ops[i].right;
        }
        const qsizetype pairs = std::min(removed.size(), added.size());
        for (qsizetype p = 0; p < pairs; ++p)
            rows.append({ DiffRow::Kind::Changed, removed[p], added[p] });
        for (qsizetype p = pairs; p < removed.size(); ++p)
            rows.append({ DiffRow::Kind::Removed, removed[p], -1 });
        for (qsizetype p = pairs; p < added.size(); ++p)
            rows.append({ DiffRow::Kind::Added, -1, added[p] });
    }
    return rows;
}

QList<DiffHunk> diffHunks(const QList<DiffOp>& ops, int context)
{
    QList<DiffHunk> hunks;
    const qsizetype count = ops.size();
    qsizetype i = 0;
    while (i < count) {
        while (i < count && ops[i].kind == Kind::Equal)
            ++i;
        if (i == count)
            break;
        // [begin, end) covers the change with its leading context; extend while changes are near.
        qsizetype begin = std::max<qsizetype>(0, i - context);
        qsizetype end = i;
        while (end < count) {
            while (end < count && ops[end].kind != Kind::Equal)
                ++end;
            qsizetype equal = end;
            while (equal < count && ops[equal].kind == Kind::Equal)
                ++equal;
            if (equal < count && equal - end <= 2 * context) {
                end = equal;
                continue;
            }
            end = std::min(count, end + context);
            break;
        }
        DiffHunk h;
        h.leftStart = -1;
        h.rightStart = -1;
        int nextLeft = 0, nextRight = 0;
        for (qsizetype j = 0; j < begin; ++j) {
            if (ops[j].left >= 0)
                nextLeft = ops[j].left + 1;
            if (ops[j].right >= 0)
                nextRight = ops[j].right + 1;
        }
        for (qsizetype j = begin; j < end; ++j) {
            if (ops[j].left >= 0) {
                if (h.leftStart < 0)
                    h.leftStart = ops[j].left;
                ++h.leftCount;
            }
            if (ops[j].right >= 0) {
                if (h.rightStart < 0)
                    h.rightStart = ops[j].right;
                ++h.rightCount;
            }
        }
        if (h.leftStart < 0)
            h.leftStart = nextLeft;
        if (h.rightStart < 0)
            h.rightStart = nextRight;
        hunks.append(h);
        i = end;
    }
    return hunks;
}

std::pair<int, int> diffCounts(const QList<DiffOp>& ops)
{
    int removed = 0, added = 0;
    for (const DiffOp& op : ops) {
        removed += op.kind == Kind::Removed;
        added += op.kind == Kind::Added;
    }
    return { removed, added };
}

} // namespace httptap
