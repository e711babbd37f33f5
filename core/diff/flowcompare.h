// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Compare: two flows side by side, and two captures matched request by
// request. A flow is laid out as lines (request line, headers, body; status
// line, headers, body) and the two layouts are diffed with diffLines. JSON
// bodies are compared as values: laid out in canonical form (keys sorted)
// and summarised as the paths that changed.
//
// Captures are matched by method and URL, in order: the n-th "GET /a" of the
// left capture pairs with the n-th "GET /a" of the right one. A pair is
// Changed when its status, a body or a header other than the volatile ones
// (Date, Age, Expires, Last-Modified, request ids…) differs.

#include "diff/jsondiff.h"
#include "diff/linediff.h"
#include "flow/flow.h"

namespace httptap {

struct CompareOptions {
    bool ignoreHeaderOrder = true; // headers sorted by name (case-insensitive), names lower case
    bool jsonAware = true; // JSON bodies in canonical form, changed paths listed
    bool ignoreVolatileHeaders = false; // leave out Date, Age, Expires, request ids…
};

constexpr int kMaxBodyLines = 20000;

// The flow as the lines Compare shows. Lines are unescaped text: the view escapes them.
QStringList comparableLines(const Flow& flow, const CompareOptions& options);

struct FlowComparison {
    QStringList left;
    QStringList right;
    QList<DiffOp> ops;
    bool requestJson = false; // both request bodies parsed as JSON
    bool responseJson = false;
    QList<JsonChange> requestBodyChanges; // when requestJson
    QList<JsonChange> responseBodyChanges; // when responseJson
};

FlowComparison compareFlows(const Flow& left, const Flow& right, const CompareOptions& options = {});

struct CaptureMatch {
    enum class Kind : uint8_t { Same, Changed, Added, Removed };
    Kind kind = Kind::Same;
    int left = -1; // index in the left capture; -1 when Added
    int right = -1; // index in the right capture; -1 when Removed
    bool operator==(const CaptureMatch&) const = default;
};

// "GET http://host/path": what pairs flows across captures.
QString matchKey(const Flow& flow);
bool flowsDiffer(const Flow& left, const Flow& right);
// In the right capture's order, each removed flow placed before the next pair that follows it on the left.
QList<CaptureMatch> matchCaptures(const QList<Flow>& left, const QList<Flow>& right);

} // namespace httptap
