// SPDX-License-Identifier: GPL-2.0-or-later
#include "flowfilter.h"

#include "flowfields.h"
#include "stats/routefolding.h"

#include <QRegularExpression>

namespace httptap {

QString FilterError::toString() const
{
    return QStringLiteral("filter syntax error at column %1: %2").arg(column).arg(message);
}

namespace {

using Predicate = FlowFilter::Predicate;

struct Token {
    enum class Kind { End, LParen, RParen, Word, Quoted, Regex, Minus, Field };
    Kind kind = Kind::End;
    QString text; // word, quoted text, regex pattern, or field key
    QString op; // Field: ":", "=", "!=", ">", ">=", "<", "<="
    int column = 0; // 1-based
};

const QStringList kStringKeys = { QStringLiteral("host"), QStringLiteral("domain"), QStringLiteral("method"),
    QStringLiteral("mime-type"), QStringLiteral("has-response-header"), QStringLiteral("scheme"),
    QStringLiteral("process"), QStringLiteral("url"), QStringLiteral("path"), QStringLiteral("type"),
    QStringLiteral("protocol"), QStringLiteral("route") };
const QStringList kNumberKeys = { QStringLiteral("status"), QStringLiteral("status-code"), QStringLiteral("pid"),
    QStringLiteral("larger-than"), QStringLiteral("size"), QStringLiteral("id"), QStringLiteral("time") };

bool isComparison(const QString& op)
{
    return op != QLatin1String(":") && op != QLatin1String("=");
}

class Parser
{
public:
    explicit Parser(const QString& text)
        : m_text(text)
    {
    }

    std::optional<Predicate> parse(FilterError* error)
    {
        m_error = error;
        if (!lex())
            return std::nullopt;
        auto result = parseOr(0);
        if (!result)
            return std::nullopt;
        if (peek().kind != Token::Kind::End)
            return fail(peek().column, peek().kind == Token::Kind::RParen ? QStringLiteral("unexpected ')'")
                                                                          : QStringLiteral("unexpected text"));
        return result;
    }

private:
    std::nullopt_t fail(int column, const QString& message)
    {
        if (m_error && m_error->message.isEmpty())
            *m_error = { column, message };
        return std::nullopt;
    }

    // --- lexer ---------------------------------------------------------
    bool atBoundary(qsizetype i) const
    {
        return i >= m_text.size() || m_text[i].isSpace() || m_text[i] == QLatin1Char('(') || m_text[i] == QLatin1Char(')');
    }

    // A "quoted" or /regex/ or bare value starting at i; advances i.
    bool lexValue(qsizetype& i, Token& t)
    {
        const qsizetype start = i;
        if (i < m_text.size() && m_text[i] == QLatin1Char('"')) {
            QString value;
            for (++i; i < m_text.size() && m_text[i] != QLatin1Char('"'); ++i) {
                if (m_text[i] == QLatin1Char('\\') && i + 1 < m_text.size())
                    ++i;
                value += m_text[i];
            }
            if (i >= m_text.size()) {
                fail(int(start) + 1, QStringLiteral("unterminated quoted text"));
                return false;
            }
            ++i;
            t.kind = Token::Kind::Quoted;
            t.text = value;
            return true;
        }
        if (i < m_text.size() && m_text[i] == QLatin1Char('/')) {
            qsizetype j = i + 1;
            while (j < m_text.size() && m_text[j] != QLatin1Char('/'))
                j += m_text[j] == QLatin1Char('\\') ? 2 : 1;
            if (j < m_text.size() && atBoundary(j + 1) && j > i + 1) {
                t.kind = Token::Kind::Regex;
                t.text = m_text.mid(i + 1, j - i - 1);
                i = j + 1;
                return true;
            }
        }
        while (!atBoundary(i))
            ++i;
        t.kind = Token::Kind::Word;
        t.text = m_text.mid(start, i - start);
        return true;
    }

    bool lex()
    {
        static const QRegularExpression field(QStringLiteral("\\G([A-Za-z][A-Za-z0-9-]*)(!=|>=|<=|:|=|>|<)"));
        qsizetype i = 0;
        while (true) {
            while (i < m_text.size() && m_text[i].isSpace())
                ++i;
            Token t;
            t.column = int(i) + 1;
            if (i >= m_text.size()) {
                m_tokens.push_back(t);
                return true;
            }
            const QChar c = m_text[i];
            if (c == QLatin1Char('(') || c == QLatin1Char(')')) {
                t.kind = c == QLatin1Char('(') ? Token::Kind::LParen : Token::Kind::RParen;
                ++i;
            } else if (c == QLatin1Char('-') && !atBoundary(i + 1)) {
                t.kind = Token::Kind::Minus;
                ++i;
            } else if (const auto m = field.match(m_text, i); m.hasMatch()) {
                const QString key = m.captured(1).toLower();
                const QString op = m.captured(2);
                const bool known = kStringKeys.contains(key) || kNumberKeys.contains(key);
                if (!known && isComparison(op)) {
                    fail(t.column, QStringLiteral("unknown field '%1'").arg(m.captured(1)));
                    return false;
                }
                if (known) {
                    t.kind = Token::Kind::Field;
                    t.text = key;
                    t.op = op;
                    m_tokens.push_back(t);
                    i = m.capturedEnd(0);
                    Token value;
                    value.column = int(i) + 1;
                    if (atBoundary(i)) {
                        fail(value.column, QStringLiteral("expected a value after '%1%2'").arg(m.captured(1), op));
                        return false;
                    }
                    if (!lexValue(i, value))
                        return false;
                    m_tokens.push_back(value);
                    continue;
                }
                if (!lexValue(i, t))
                    return false;
            } else if (!lexValue(i, t)) {
                return false;
            }
            m_tokens.push_back(t);
        }
    }

    // --- parser --------------------------------------------------------
    const Token& peek() const { return m_tokens[m_pos]; }
    bool isKeyword(const Token& t, const char* word) const
    {
        return t.kind == Token::Kind::Word && t.text.compare(QLatin1String(word), Qt::CaseInsensitive) == 0;
    }
    bool isOr(const Token& t) const { return isKeyword(t, "or") || isKeyword(t, "||"); }
    bool isAnd(const Token& t) const { return isKeyword(t, "and") || isKeyword(t, "&&"); }
    bool isNot(const Token& t) const { return isKeyword(t, "not") || isKeyword(t, "!"); }

    std::optional<Predicate> parseOr(int depth)
    {
        auto left = parseAnd(depth);
        while (left && isOr(peek())) {
            ++m_pos;
            auto right = parseAnd(depth);
            if (!right)
                return std::nullopt;
            left = [a = *left, b = *right](const Flow& f) { return a(f) || b(f); };
        }
        return left;
    }

    std::optional<Predicate> parseAnd(int depth)
    {
        auto left = parseUnary(depth);
        while (left) {
            const Token& t = peek();
            if (isAnd(t))
                ++m_pos;
            else if (t.kind == Token::Kind::End || t.kind == Token::Kind::RParen || isOr(t))
                break;
            auto right = parseUnary(depth);
            if (!right)
                return std::nullopt;
            left = [a = *left, b = *right](const Flow& f) { return a(f) && b(f); };
        }
        return left;
    }

    std::optional<Predicate> parseUnary(int depth)
    {
        if (depth > 64)
            return fail(peek().column, QStringLiteral("expression nested too deeply"));
        const Token& t = peek();
        if (isNot(t) || t.kind == Token::Kind::Minus) {
            ++m_pos;
            auto inner = parseUnary(depth + 1);
            if (!inner)
                return std::nullopt;
            return [p = *inner](const Flow& f) { return !p(f); };
        }
        return parsePrimary(depth);
    }

    std::optional<Predicate> parsePrimary(int depth)
    {
        const Token t = peek();
        switch (t.kind) {
        case Token::Kind::End: {
            const Token& previous = m_pos > 0 ? m_tokens[m_pos - 1] : t;
            const QString after = previous.kind == Token::Kind::Minus ? QStringLiteral("-")
                : previous.kind == Token::Kind::LParen                ? QStringLiteral("(")
                                                                      : previous.text;
            return fail(t.column, m_pos > 0 ? QStringLiteral("expected a term after '%1'").arg(after)
                                            : QStringLiteral("expected a term"));
        }
        case Token::Kind::RParen:
            return fail(t.column, QStringLiteral("unexpected ')'"));
        case Token::Kind::LParen: {
            ++m_pos;
            auto inner = parseOr(depth + 1);
            if (!inner)
                return std::nullopt;
            if (peek().kind != Token::Kind::RParen)
                return fail(t.column, QStringLiteral("'(' is never closed"));
            ++m_pos;
            return inner;
        }
        case Token::Kind::Field:
            m_pos += 2;
            return fieldPredicate(t, m_tokens[m_pos - 1]);
        case Token::Kind::Regex: {
            ++m_pos;
            auto re = regex(t);
            if (!re)
                return std::nullopt;
            return [re = *re](const Flow& f) { return re.match(f.url()).hasMatch(); };
        }
        case Token::Kind::Word:
            if (isAnd(t) || isOr(t))
                return fail(t.column, QStringLiteral("'%1' needs a term on its left").arg(t.text));
            [[fallthrough]];
        case Token::Kind::Quoted:
        case Token::Kind::Minus:
            ++m_pos;
            return [text = t.text](const Flow& f) { return f.url().contains(text, Qt::CaseInsensitive); };
        }
        return std::nullopt;
    }

    std::optional<QRegularExpression> regex(const Token& t)
    {
        QRegularExpression re(t.text, QRegularExpression::CaseInsensitiveOption);
        if (!re.isValid())
            return fail(t.column + 1 + int(re.patternErrorOffset()),
                QStringLiteral("invalid regular expression: %1").arg(re.errorString()));
        return re;
    }

    std::optional<Predicate> fieldPredicate(const Token& field, const Token& value);
    std::optional<Predicate> numberPredicate(const Token& field, const Token& value);

    QString m_text;
    std::vector<Token> m_tokens;
    size_t m_pos = 0;
    FilterError* m_error = nullptr;
};

std::optional<uint64_t> parseNumber(const QString& text, bool withSizeSuffix)
{
    QString digits = text;
    uint64_t multiplier = 1;
    if (withSizeSuffix && !digits.isEmpty()) {
        const QChar s = digits.back().toLower();
        multiplier = s == QLatin1Char('k') ? 1024 : s == QLatin1Char('m') ? 1024 * 1024 : s == QLatin1Char('g') ? 1024ull << 20 : 1;
        if (multiplier != 1)
            digits.chop(1);
    }
    bool ok = false;
    const qulonglong v = digits.toULongLong(&ok);
    if (!ok || digits.isEmpty() || !digits[0].isDigit() || v > (1ull << 50))
        return std::nullopt;
    return v * multiplier;
}

// A duration in nanoseconds: "250ms", "1.5s", "800us" / "800µs"; a bare number is milliseconds.
std::optional<uint64_t> parseDuration(const QString& text)
{
    static const QRegularExpression re(QStringLiteral("^([0-9]+(?:\\.[0-9]+)?)(us|µs|ms|s)?$"), QRegularExpression::CaseInsensitiveOption);
    const auto m = re.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    const QString unit = m.captured(2).toLower();
    const double scale = unit == QLatin1String("s") ? 1e9 : unit == QLatin1String("us") || unit == QStringLiteral("µs") ? 1e3 : 1e6;
    const double ns = m.captured(1).toDouble() * scale;
    if (ns > double(1ull << 62))
        return std::nullopt;
    return uint64_t(ns + 0.5);
}

std::optional<Predicate> Parser::numberPredicate(const Token& field, const Token& value)
{
    const QString& key = field.text;
    const QString& op = field.op;
    if (value.kind == Token::Kind::Regex)
        return fail(value.column, QStringLiteral("%1 takes a number, not a regular expression").arg(key));
    std::function<uint64_t(const Flow&)> get;
    if (key == QLatin1String("status") || key == QLatin1String("status-code"))
        get = [](const Flow& f) -> uint64_t { return f.hasResponse ? uint64_t(f.response.status) : 0; };
    else if (key == QLatin1String("pid"))
        get = [](const Flow& f) -> uint64_t { return f.pid; };
    else if (key == QLatin1String("id"))
        get = [](const Flow& f) -> uint64_t { return f.id; };
    else if (key == QLatin1String("time")) // the Time column: first request byte to last byte
        get = [](const Flow& f) -> uint64_t { return f.endNs > f.startNs ? f.endNs - f.startNs : 0; };
    else
        get = [](const Flow& f) -> uint64_t { return flowResponseSize(f); };
    const bool sized = key == QLatin1String("larger-than") || key == QLatin1String("size");
    if (key == QLatin1String("larger-than") && op != QLatin1String(":"))
        return fail(field.column, QStringLiteral("larger-than takes ':' (larger-than:10k)"));

    uint64_t low = 0;
    uint64_t high = 0;
    static const QRegularExpression statusClass(QStringLiteral("^([1-5])xx$"), QRegularExpression::CaseInsensitiveOption);
    if (const auto m = statusClass.match(value.text); m.hasMatch() && key.startsWith(QLatin1String("status"))) {
        if (isComparison(op) && op != QLatin1String("!="))
            return fail(value.column, QStringLiteral("a status class such as 4xx takes ':', '=' or '!='"));
        low = m.captured(1).toULongLong() * 100;
        high = low + 99;
    } else if (key == QLatin1String("time")) {
        const auto ns = parseDuration(value.text);
        if (!ns)
            return fail(value.column, QStringLiteral("time needs a duration such as 250ms, 1.5s or 800us, not '%1'").arg(value.text));
        low = high = *ns;
    } else if (const auto n = parseNumber(value.text, sized)) {
        low = high = *n;
    } else {
        return fail(value.column,
            QStringLiteral("%1 needs a number%2, not '%3'")
                .arg(key, sized ? QStringLiteral(" of bytes such as 1024 or 10k") : QString(), value.text));
    }
    if (key == QLatin1String("larger-than"))
        return [get, low](const Flow& f) { return get(f) > low; };
    if (op == QLatin1String(":") || op == QLatin1String("="))
        return [get, low, high](const Flow& f) { const uint64_t v = get(f); return v >= low && v <= high; };
    if (op == QLatin1String("!="))
        return [get, low, high](const Flow& f) { const uint64_t v = get(f); return v < low || v > high; };
    if (op == QLatin1String(">"))
        return [get, low](const Flow& f) { return get(f) > low; };
    if (op == QLatin1String(">="))
        return [get, low](const Flow& f) { return get(f) >= low; };
    if (op == QLatin1String("<"))
        return [get, low](const Flow& f) { return get(f) < low; };
    return [get, low](const Flow& f) { return get(f) <= low; };
}

std::optional<Predicate> Parser::fieldPredicate(const Token& field, const Token& value)
{
    const QString& key = field.text;
    if (kNumberKeys.contains(key))
        return numberPredicate(field, value);
    const QString& op = field.op;
    if (isComparison(op) && op != QLatin1String("!="))
        return fail(field.column, QStringLiteral("'%1' compares numbers; %2 takes ':', '=' or '!='").arg(op, key));
    const bool negate = op == QLatin1String("!=");
    const bool exact = op != QLatin1String(":");

    if (key == QLatin1String("has-response-header")) {
        if (value.kind == Token::Kind::Regex)
            return fail(value.column, QStringLiteral("has-response-header takes a header name"));
        const QByteArray name = value.text.toLatin1();
        return [name, negate](const Flow& f) {
            bool found = false;
            for (const HttpHeader& h : f.response.headers)
                found = found || h.name.compare(name, Qt::CaseInsensitive) == 0;
            return f.hasResponse && found != negate;
        };
    }

    std::function<QString(const Flow&)> get;
    if (key == QLatin1String("host") || key == QLatin1String("domain"))
        get = flowHost;
    else if (key == QLatin1String("method"))
        get = [](const Flow& f) { return QString::fromLatin1(f.request.method); };
    else if (key == QLatin1String("mime-type"))
        get = flowMimeType;
    else if (key == QLatin1String("scheme"))
        get = flowScheme;
    else if (key == QLatin1String("process"))
        get = [](const Flow& f) { return f.process; };
    else if (key == QLatin1String("url"))
        get = [](const Flow& f) { return f.url(); };
    else if (key == QLatin1String("path"))
        get = flowPath;
    else if (key == QLatin1String("type"))
        get = flowResourceType;
    else if (key == QLatin1String("route"))
        get = [](const Flow& f) {
            return QString::fromStdString(foldPath(std::string_view(f.request.target.constData(), size_t(f.request.target.size()))));
        };
    else
        get = flowProtocol;

    Predicate match;
    if (value.kind == Token::Kind::Regex) {
        auto re = regex(value);
        if (!re)
            return std::nullopt;
        match = [get, re = *re](const Flow& f) { return re.match(get(f)).hasMatch(); };
    } else if (value.text.contains(QLatin1Char('*'))) {
        const QRegularExpression re(QRegularExpression::wildcardToRegularExpression(
                                        value.text, QRegularExpression::UnanchoredWildcardConversion),
            QRegularExpression::CaseInsensitiveOption);
        const QRegularExpression anchored(QRegularExpression::anchoredPattern(re.pattern()), re.patternOptions());
        match = [get, anchored](const Flow& f) { return anchored.match(get(f)).hasMatch(); };
    } else if (exact || key == QLatin1String("method") || key == QLatin1String("scheme")
        || key == QLatin1String("protocol") || key == QLatin1String("type")) {
        match = [get, v = value.text](const Flow& f) { return get(f).compare(v, Qt::CaseInsensitive) == 0; };
    } else if (key == QLatin1String("host") || key == QLatin1String("domain")) {
        match = [get, v = value.text.toLower()](const Flow& f) {
            const QString host = get(f);
            return host == v || (host.endsWith(v) && host.at(host.size() - v.size() - 1) == QLatin1Char('.'));
        };
    } else {
        match = [get, v = value.text](const Flow& f) { return get(f).contains(v, Qt::CaseInsensitive); };
    }
    if (negate)
        return [match](const Flow& f) { return !match(f); };
    return match;
}

} // namespace

std::optional<FlowFilter> FlowFilter::compile(const QString& expression, FilterError* error)
{
    FlowFilter filter;
    filter.m_expression = expression;
    if (expression.trimmed().isEmpty())
        return filter;
    FilterError local;
    Parser parser(expression);
    auto predicate = parser.parse(&local);
    if (!predicate) {
        if (error)
            *error = local;
        return std::nullopt;
    }
    filter.m_predicate = std::move(*predicate);
    return filter;
}

} // namespace httptap
