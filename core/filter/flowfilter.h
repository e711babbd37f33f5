// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The flow filter language, shared by the window's filter bar and
// `httptap-record --filter`. A filter is compiled once into a tree of
// predicates and then evaluated per Flow; evaluation is const and touches
// no shared state, so one compiled filter may run on many threads at once.
//
//   free text            the URL contains it (case-insensitive); "quoted text" keeps spaces
//   /regex/              the URL matches the regular expression
//   host=H  host:H       the host is H (host:/domain: also match subdomains and * wildcards)
//   domain:*.example.com
//   method:POST          method=POST
//   status-code:404  status:4xx  status>=400  status!=200
//   mime-type:json       the response media type contains it
//   larger-than:10k      the response body is larger (k, M, G: 1024 multiples)
//   has-response-header:etag
//   scheme:https  process:curl  pid=1234  url:/api  path:/api
//   route="/users/{id}"  the path with ids folded (stats/routefolding.h), no query
//   id>=100 id<=200      the flow's number (flows are numbered in the order they started)
//   time>=250ms time<1s  the Time column (first request byte to last byte); us, ms (default), s
//   -term                negation of one term
//   a and b, a b (and), a or b, not a, ( … )   usual precedence: not > and > or
//
// String values may be "quoted" or /regex/. `=` compares exactly
// (case-insensitively), `:` finds a substring. A word whose key is unknown
// and uses `:` or `=` is free text (URLs and query strings contain both);
// a comparison (<, >, !=) on an unknown key is an error.

#include "flow/flow.h"

#include <QString>

#include <functional>
#include <optional>

namespace httptap {

struct FilterError {
    int column = 0; // 1-based position in the expression
    QString message;
    // "filter syntax error at column N: message"
    QString toString() const;
};

class FlowFilter
{
public:
    using Predicate = std::function<bool(const Flow&)>;

    FlowFilter() = default; // matches everything

    // The compiled filter, or nullopt with *error filled. Blank text matches everything.
    static std::optional<FlowFilter> compile(const QString& expression, FilterError* error);

    bool matches(const Flow& flow) const { return !m_predicate || m_predicate(flow); }
    bool isEmpty() const { return !m_predicate; }
    const QString& expression() const { return m_expression; }

private:
    Predicate m_predicate;
    QString m_expression;
};

} // namespace httptap
