// SPDX-License-Identifier: GPL-2.0-or-later
#include "flowtablemodel.h"

#include "displayunits.h"
#include "filter/flowfields.h"
#include "flow/flowtimings.h"
#include "symbols/initiatorframe.h"
#include "textescape.h"

#include <QColor>
#include <QGuiApplication>
#include <QPalette>
#include <QIcon>
#include <QPainter>
#include <QPixmap>

namespace httptap {

namespace {

// A small round badge; painted once per kind (not per row).
QIcon badgeIcon(uint8_t completeness)
{
    static const QIcon incomplete = [] {
        QPixmap p(12, 12);
        p.fill(Qt::transparent);
        QPainter painter(&p);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setBrush(QColor(0xd9, 0x3f, 0x3f));
        painter.setPen(Qt::NoPen);
        painter.drawEllipse(1, 1, 10, 10);
        painter.setPen(QPen(Qt::white, 2));
        painter.drawLine(6, 3, 6, 7);
        painter.drawPoint(6, 9);
        return QIcon(p);
    }();
    static const QIcon truncated = [] {
        QPixmap p(12, 12);
        p.fill(Qt::transparent);
        QPainter painter(&p);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setBrush(QColor(0xe8, 0x9a, 0x1c));
        painter.setPen(Qt::NoPen);
        painter.drawPolygon(QPolygonF({ QPointF(6, 0.5), QPointF(11.5, 11), QPointF(0.5, 11) }));
        painter.setPen(QPen(Qt::white, 2));
        painter.drawLine(6, 4, 6, 7);
        painter.drawPoint(6, 9);
        return QIcon(p);
    }();
    if (completeness & (FlowTableModel::Incomplete | FlowTableModel::NoResponse))
        return incomplete;
    return truncated;
}

// The waterfall's tooltip: each observed phase and its duration.
QString phasesText(const Flow& f)
{
    const FlowPhases p = flowPhases(f);
    QString out;
    auto line = [&out](const QString& name, int64_t ns) {
        if (ns >= 0)
            out += name + QLatin1String(": ") + durationText(uint64_t(ns)) + QLatin1Char('\n');
    };
    line(FlowTableModel::tr("DNS lookup"), p.dns);
    line(FlowTableModel::tr("Initial connection"), p.tcp);
    line(FlowTableModel::tr("SSL"), p.ssl);
    line(FlowTableModel::tr("Stalled"), p.blocked);
    line(FlowTableModel::tr("Request sent"), p.send);
    line(FlowTableModel::tr("Waiting (TTFB)"), p.wait);
    if (f.responseStartNs)
        line(FlowTableModel::tr("Content download"), p.receive);
    if (f.setup.reused)
        out += FlowTableModel::tr("Connection reused\n");
    out += FlowTableModel::tr("Total: %1").arg(durationText(p.totalNs()));
    return out;
}

// The Initiator tooltip: thread, the top frames (the chosen one marked), whether it was cut short.
// The first line is ours alone: tooltips guess rich text from it (Qt::mightBeRichText).
QString initiatorTooltip(const InitiatorStack& stack)
{
    constexpr int kShown = 12;
    QString out = FlowTableModel::tr("Initiator: thread id %1\nThread name: %2")
                      .arg(stack.tid)
                      .arg(escapeControl(stack.thread));
    const int chosen = initiatorFrameIndex(stack);
    for (int i = 0; i < stack.frames.size() && i < kShown; ++i)
        out += QStringLiteral("\n%1 #%2  %3")
                   .arg(i == chosen ? QStringLiteral("▶") : QStringLiteral("  "))
                   .arg(i)
                   .arg(escapeControl(frameText(stack.frames[i])));
    if (stack.frames.size() > kShown)
        out += FlowTableModel::tr("\n… %1 more frames").arg(stack.frames.size() - kShown);
    if (stack.partial)
        out += FlowTableModel::tr("\nFrame pointers missing: stack incomplete.");
    return out;
}

} // namespace

FlowTableModel::FlowTableModel(FlowStore* store, QObject* parent)
    : QAbstractTableModel(parent)
    , m_store(store)
    , m_cache(20'000)
{
    connect(store, &FlowStore::flowsAppended, this, &FlowTableModel::append);
    connect(store, &FlowStore::flowsUpdated, this, &FlowTableModel::update);
    connect(store, &FlowStore::aboutToClear, this, [this] { beginResetModel(); });
    connect(store, &FlowStore::cleared, this, [this] {
        m_rows.clear();
        m_strings.clear();
        m_initiatorIds.clear(); // its ids name strings of the pool just cleared
        m_cache.clear();
        endResetModel();
    });
    if (store->size() > 0)
        append(0, store->size() - 1);
}

uint8_t FlowTableModel::completenessOf(const Flow& flow)
{
    uint8_t bits = Whole;
    if (flow.truncated)
        bits |= Truncated;
    if (flow.incomplete)
        bits |= Incomplete;
    if (!flow.hasResponse && flow.role == Flow::Role::Client)
        bits |= NoResponse;
    for (const QString& note : flow.notes)
        if (note.contains(QLatin1String("lost"), Qt::CaseInsensitive))
            bits |= LostEvents;
    return bits;
}

QString FlowTableModel::completenessText(const Flow& flow)
{
    const uint8_t bits = completenessOf(flow);
    if (bits == Whole)
        return {};
    QStringList lines;
    if (bits & NoResponse)
        lines << tr("No response was seen.");
    if (bits & Incomplete)
        lines << tr("The exchange did not finish.");
    if (bits & Truncated)
        lines << tr("Some bytes were not captured.");
    for (const QString& note : flow.notes)
        lines << escapeControl(note);
    return lines.join(QLatin1Char('\n'));
}

FlowRow FlowTableModel::makeRow(int index)
{
    const Flow& f = m_store->at(index);
    FlowRow row;
    row.flow = uint32_t(index);
    row.pid = f.pid;
    row.size = flowResponseSize(f);
    row.durationNs = f.endNs > f.startNs ? f.endNs - f.startNs : 0;
    row.status = f.hasResponse ? uint16_t(std::clamp(f.response.status, 0, 65535)) : 0;
    row.domain = m_strings.intern(escapeControl(flowHost(f)));
    row.type = m_strings.intern(escapeControl(flowResourceType(f)));
    row.process = m_strings.intern(escapeControl(f.process));
    row.method = m_strings.intern(escapeControl(QString::fromLatin1(f.request.method)));
    row.protocol = uint16_t(m_strings.intern(flowProtocol(f)));
    row.tls = uint16_t(m_strings.intern(flowTlsLibrary(f)));
    row.open = f.inProgress;
    if (f.initiator)
        row.initiator = initiatorId(*f.initiator);
    const uint64_t items = f.isWebSocket() ? uint64_t(f.webSocketMessages().size()) + f.streamItemsDropped()
        : f.isEventStream()                ? uint64_t(f.serverSentEvents().size()) + f.streamItemsDropped()
                                           : 0;
    row.items = uint32_t(std::min<uint64_t>(items, UINT32_MAX));
    // An open exchange has not failed to finish: it has not finished yet. Missing bytes still show.
    row.completeness = f.inProgress ? uint8_t(completenessOf(f) & (Truncated | LostEvents)) : completenessOf(f);
    return row;
}

uint32_t FlowTableModel::initiatorId(const InitiatorStack& stack)
{
    constexpr qsizetype kMaxLists = 4096;
    if (stack.frames.isEmpty())
        return 0;
    const StackFrame* key = stack.frames.constData();
    if (auto it = m_initiatorIds.constFind(key); it != m_initiatorIds.cend())
        return it->second;
    const uint32_t id = m_strings.intern(escapeControl(initiatorFrame(stack)));
    if (m_initiatorIds.size() >= kMaxLists)
        m_initiatorIds.clear();
    m_initiatorIds.insert(key, { stack.frames, id });
    return id;
}

void FlowTableModel::append(int first, int last)
{
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()) + last - first);
    // No reserve() to the exact new size: that reallocated and copied every row at each live
    // batch (20 a second); push_back's geometric growth copies them O(log n) times in all.
    for (int i = first; i <= last; ++i)
        m_rows.push_back(makeRow(i));
    endInsertRows();
}

void FlowTableModel::update(const std::vector<int>& rows)
{
    // Rows are store indices (this model shows the store in order); adjacent ones share one signal.
    for (size_t i = 0; i < rows.size();) {
        size_t j = i;
        for (; j < rows.size() && rows[j] - rows[i] == int(j - i); ++j) {
            const int row = rows[j];
            m_rows[size_t(row)] = makeRow(row);
            for (int column = 0; column < COLUMN_COUNT; ++column)
                m_cache.remove((quint64(row) << 8) | quint64(column));
        }
        Q_EMIT dataChanged(index(rows[i], 0), index(rows[j - 1], COLUMN_COUNT - 1));
        i = j;
    }
}

int FlowTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int FlowTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : COLUMN_COUNT;
}

bool FlowTableModel::isNumeric(int column)
{
    return column == StatusColumn || column == SizeColumn || column == TimeColumn || column == WaterfallColumn;
}

QString FlowTableModel::text(int row, int column) const
{
    const FlowRow& r = m_rows[size_t(row)];
    switch (column) {
    case MethodColumn:
        return m_strings.at(r.method);
    case DomainColumn:
        return m_strings.at(r.domain);
    case TypeColumn:
        return m_strings.at(r.type);
    case ProcessColumn:
        return QStringLiteral("%1 (%2)").arg(m_strings.at(r.process)).arg(r.pid);
    case ProtocolColumn:
        return m_strings.at(r.protocol);
    case TlsColumn:
        return m_strings.at(r.tls);
    case InitiatorColumn:
        return m_strings.at(r.initiator);
    case StatusColumn:
        if (!r.status)
            return r.open ? tr("(pending)") : tr("(none)");
        break; // with a message count: cached below
    default:
        break;
    }
    // The rest needs formatting or the Flow itself: cached.
    const quint64 key = (quint64(row) << 8) | quint64(column);
    if (const QString* cached = m_cache.object(key))
        return *cached;
    QString value;
    const Flow& f = flow(row);
    if (column == NameColumn) {
        value = escapeControl(flowPath(f));
    } else if (column == StatusColumn) {
        value = QString::number(r.status);
        if (f.isWebSocket())
            value += tr(" · %1 msgs").arg(r.items);
        else if (f.isEventStream() && r.items > 0)
            value += tr(" · %1 events").arg(r.items);
    } else if (column == SizeColumn) {
        value = r.status ? sizeText(r.size) : QString();
    } else if (column == TimeColumn) {
        value = r.open ? tr("(pending)") : durationText(r.durationNs);
    } else if (column == RemoteAddressColumn) {
        value = f.remote.toString();
    } else if (column == WaterfallColumn) {
        return {}; // painted by WaterfallDelegate
    }
    m_cache.insert(key, new QString(value));
    return value;
}

QVariant FlowTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const int column = index.column();
    const FlowRow& r = m_rows[size_t(row)];
    switch (role) {
    case Qt::DisplayRole:
        return text(row, column);
    case Qt::ToolTipRole:
        if (column == NameColumn) {
            const QString why = r.open ? tr("Still open: the exchange is in progress.") : completenessText(flow(row));
            const QString url = escapeControl(flow(row).url());
            return why.isEmpty() ? url : url + QLatin1Char('\n') + why;
        }
        if (column == WaterfallColumn)
            return phasesText(flow(row));
        if (column == InitiatorColumn && flow(row).initiator)
            return initiatorTooltip(*flow(row).initiator);
        return {};
    case Qt::DecorationRole:
        if (column == NameColumn && r.completeness != Whole)
            return badgeIcon(r.completeness);
        return {};
    case Qt::TextAlignmentRole:
        if (isNumeric(column))
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        if (r.open)
            return QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text);
        if (column == StatusColumn && (r.status >= 400 || r.status == 0))
            return QColor(0xd9, 0x3f, 0x3f);
        return {};
    case FlowIndexRole:
        return int(r.flow);
    case CompletenessRole:
        return int(r.completeness);
    case SortRole: {
        static const std::vector<uint32_t> noRanks;
        const std::vector<uint32_t> ranks = isNumeric(column) ? noRanks : m_strings.ranks();
        const SortKey key = sortKey(column, r, flow(row), ranks);
        return isNumeric(column) ? QVariant(qulonglong(key.number)) : QVariant(key.text);
    }
    default:
        return {};
    }
}

FlowTableModel::SortKey FlowTableModel::sortKey(
    int column, const FlowRow& r, const Flow& flow, const std::vector<uint32_t>& ranks)
{
    auto rank = [&ranks](uint32_t id) -> uint64_t { return id < ranks.size() ? ranks[id] : id; };
    switch (column) {
    case NameColumn:
        return { 0, flowPath(flow) };
    case MethodColumn:
        return { rank(r.method), {} };
    case StatusColumn:
        return { r.status, {} };
    case DomainColumn:
        return { rank(r.domain), {} };
    case TypeColumn:
        return { rank(r.type), {} };
    case SizeColumn:
        return { r.size, {} };
    case TimeColumn:
        return { r.durationNs, {} };
    case ProcessColumn:
        return { (rank(r.process) << 32) | r.pid, {} };
    case ProtocolColumn:
        return { rank(r.protocol), {} };
    case RemoteAddressColumn:
        return { 0, flow.remote.toString() };
    case TlsColumn:
        return { rank(r.tls), {} };
    case InitiatorColumn:
        return { rank(r.initiator), {} };
    case WaterfallColumn:
        return { flowPhases(flow).beginNs, {} };
    default:
        return {};
    }
}

QVariant FlowTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= COLUMN_COUNT)
        return {};
    if (role == Qt::DisplayRole) {
        static const char* const titles[] = { QT_TR_NOOP("Name"), QT_TR_NOOP("Method"), QT_TR_NOOP("Status"),
            QT_TR_NOOP("Domain"), QT_TR_NOOP("Type"), QT_TR_NOOP("Size"), QT_TR_NOOP("Time"), QT_TR_NOOP("Process"),
            QT_TR_NOOP("Protocol"), QT_TR_NOOP("Remote address"), QT_TR_NOOP("TLS library"), QT_TR_NOOP("Initiator"),
            QT_TR_NOOP("Waterfall") };
        return tr(titles[section]);
    }
    if (role == Qt::TextAlignmentRole && isNumeric(section))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

} // namespace httptap
