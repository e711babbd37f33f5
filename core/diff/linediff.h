// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Line diff for Compare: Myers' O(ND) algorithm over line hashes, after the
// common prefix and suffix are stripped. Bounded: when more than maxEdits
// insertions and deletions would be needed, the differing middle is reported
// as removed-then-added (a correct, not minimal, diff) instead of searching
// on, so a huge or unrelated pair of bodies never stalls the caller. Memory
// is O(maxEdits²) at most.

#include <QList>
#include <QStringList>

namespace httptap {

struct DiffOp {
    enum class Kind : uint8_t { Equal, Removed, Added };
    Kind kind = Kind::Equal;
    int left = -1; // line in the left text (Equal, Removed); -1 otherwise
    int right = -1; // line in the right text (Equal, Added); -1 otherwise
    bool operator==(const DiffOp&) const = default;
};

// One row of a side-by-side view: a run of removed lines followed by added
// lines is paired up row by row as Changed; the rest stay Removed/Added.
struct DiffRow {
    enum class Kind : uint8_t { Equal, Changed, Removed, Added };
    Kind kind = Kind::Equal;
    int left = -1;
    int right = -1;
    bool operator==(const DiffRow&) const = default;
};

// A hunk as in a unified diff (0-based starts, counts of lines).
struct DiffHunk {
    int leftStart = 0;
    int leftCount = 0;
    int rightStart = 0;
    int rightCount = 0;
    bool operator==(const DiffHunk&) const = default;
};

// The edit script turning `left` into `right`, in order.
QList<DiffOp> diffLines(const QStringList& left, const QStringList& right, int maxEdits = 4000);
QList<DiffRow> sideBySide(const QList<DiffOp>& ops);
// Hunks with `context` equal lines around each change, merged when they touch.
QList<DiffHunk> diffHunks(const QList<DiffOp>& ops, int context = 3);
// How many lines were removed and added.
std::pair<int, int> diffCounts(const QList<DiffOp>& ops);

} // namespace httptap
