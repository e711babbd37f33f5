// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The flow table: one row per Flow of a FlowStore, in arrival order.
// A flow still open (Flow::inProgress) is greyed, its Time "(pending)" and,
// without a response yet, its Status too. A WebSocket row shows its
// message count beside the status ("101 · 42 msgs"), an event stream its
// events, and both stay pending until the connection or stream closes. When the
// store replaces a flow with a (dataChanged for that row only,
// its cached cells dropped), so the row count and selection stay.
//
// Each row is a compact FlowRow (≤ 64 bytes: numbers, enums and interned
// string ids; no QString, QVariant or QObject per row). Display text is made
// on demand in data() and kept in a bounded cache; a batch of flows from the
// store becomes one beginInsertRows. The Initiator column shows the frame
// initiatorFrame() picks, from stacks the capture parser already named
// (Symbolizer), so no file is read here. Captured text is untrusted: everything
// shown goes through escapeControl(), and nothing is ever rich text.

#include "flowstore.h"
#include "stringpool.h"

#include <QAbstractTableModel>
#include <QCache>

namespace httptap {

struct FlowRow {
    uint64_t size = 0; // response body bytes observed
    uint64_t durationNs = 0; // first request byte to last byte
    uint32_t flow = 0; // index in the store
    uint32_t pid = 0;
    uint32_t domain = 0; // interned ids
    uint32_t type = 0;
    uint32_t process = 0;
    uint32_t method = 0;
    uint32_t items = 0; // WebSocket messages or server-sent events, shown beside the status
    uint32_t initiator = 0; // interned: the chosen frame of the initiator stack (initiatorframe.h)
    uint16_t status = 0; // 0: no response
    uint16_t protocol = 0; // interned
    uint16_t tls = 0; // interned
    uint8_t completeness = 0; // FlowTableModel::Completeness bits
    bool open = false; // a snapshot of an exchange still in progress: shown pending, greyed
};
static_assert(sizeof(FlowRow) <= 64, "flow rows must stay compact (STYLE.md convention 9)");

class FlowTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns {
        NameColumn, // path and query
        MethodColumn,
        StatusColumn,
        DomainColumn,
        TypeColumn,
        SizeColumn,
        TimeColumn,
        ProcessColumn,
        ProtocolColumn,
        RemoteAddressColumn,
        TlsColumn,
        InitiatorColumn, // the first stack frame outside the HTTP/TLS libraries; tooltip: the top frames
        WaterfallColumn, // phases as bars (WaterfallDelegate); no text, sorts by start
        COLUMN_COUNT
    };
    enum Roles {
        FlowIndexRole = Qt::UserRole, // int: index of the flow in the store
        SortRole, // qulonglong for numeric columns, QString otherwise
        CompletenessRole, // int: Completeness bits
    };
    enum Completeness : uint8_t {
        Whole = 0,
        Truncated = 1, // some bytes are missing (lost events, limits, uncopied)
        Incomplete = 2, // the exchange did not finish
        NoResponse = 4, // no response was seen
        LostEvents = 8, // the kernel dropped events on the way
    };

    struct SortKey {
        uint64_t number = 0;
        QString text;
    };

    explicit FlowTableModel(FlowStore* store, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    FlowStore* store() const { return m_store; }
    const Flow& flow(int row) const { return m_store->at(int(m_rows[size_t(row)].flow)); }
    const std::vector<FlowRow>& rows() const { return m_rows; }
    const StringPool& strings() const { return m_strings; }

    // Typed sort key of a cell; `ranks` from strings().ranks(). Thread-safe given a snapshot.
    static SortKey sortKey(int column, const FlowRow& row, const Flow& flow, const std::vector<uint32_t>& ranks);
    static bool isNumeric(int column);
    static uint8_t completenessOf(const Flow& flow);
    // Why the row carries a badge, in words ("" when whole).
    static QString completenessText(const Flow& flow);

private:
    void append(int first, int last);
    void update(const std::vector<int>& rows);
    FlowRow makeRow(int index);
    QString text(int row, int column) const;
    uint32_t initiatorId(const InitiatorStack& stack);

    FlowStore* m_store;
    std::vector<FlowRow> m_rows;
    StringPool m_strings;
    mutable QCache<quint64, QString> m_cache;
    // Initiator text per frame list: flows from one call site share their named frames
    // (Symbolizer), so a row costs one lookup. The list is held, so its address is not reused.
    QHash<const StackFrame*, std::pair<QList<StackFrame>, uint32_t>> m_initiatorIds;
};

} // namespace httptap
