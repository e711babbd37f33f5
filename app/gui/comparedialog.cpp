// SPDX-License-Identifier: GPL-2.0-or-later
#include "comparedialog.h"

#include "diffview.h"
#include "models/textescape.h"
#include "models/texttablemodel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace httptap {

namespace {

QString kindText(CaptureMatch::Kind kind)
{
    switch (kind) {
    case CaptureMatch::Kind::Same: return QObject::tr("same");
    case CaptureMatch::Kind::Changed: return QObject::tr("changed");
    case CaptureMatch::Kind::Added: return QObject::tr("added");
    case CaptureMatch::Kind::Removed: return QObject::tr("removed");
    }
    return {};
}

QString statusText(const Flow* f)
{
    if (!f)
        return QStringLiteral("—");
    return f->hasResponse ? QString::number(f->response.status) : QObject::tr("(none)");
}

QString changesText(const QString& what, const QList<JsonChange>& changes)
{
    if (changes.isEmpty())
        return QObject::tr("%1 body: same JSON").arg(what);
    QStringList paths;
    for (const JsonChange& c : changes.mid(0, 12)) {
        const char* sign = c.kind == JsonChange::Kind::Added ? "+" : c.kind == JsonChange::Kind::Removed ? "−" : "~";
        paths << QString::fromUtf8(sign) + escapeControl(c.path);
    }
    if (changes.size() > 12)
        paths << QObject::tr("… %n more", nullptr, int(changes.size() - 12));
    return QObject::tr("%1 body JSON: %2").arg(what, paths.join(QLatin1String(", ")));
}

} // namespace

CompareDialog::CompareDialog(QWidget* parent)
    : QDialog(parent)
    , m_counts(new QLabel)
    , m_pairs(new QTableView)
    , m_pairsModel(new TextTableModel({ tr("Change"), tr("Method"), tr("URL"), tr("Status") }, this))
    , m_ignoreOrder(new QCheckBox(tr("Ignore header order")))
    , m_json(new QCheckBox(tr("Compare JSON bodies as data")))
    , m_summary(new QLabel)
    , m_diff(new DiffView)
{
    setObjectName(QStringLiteral("compareDialog"));
    setWindowTitle(tr("Compare"));
    setSizeGripEnabled(true);
    m_counts->setObjectName(QStringLiteral("compareCounts"));
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    for (QLabel* l : { m_counts, m_summary }) {
        l->setTextFormat(Qt::PlainText);
        l->setWordWrap(true);
    }
    m_ignoreOrder->setObjectName(QStringLiteral("ignoreHeaderOrder"));
    m_json->setObjectName(QStringLiteral("compareJson"));
    m_ignoreOrder->setChecked(true);
    m_json->setChecked(true);
    m_ignoreOrder->setToolTip(tr("Sort headers by name (case-insensitive) on both sides before comparing"));
    m_json->setToolTip(tr("Parse JSON bodies and compare them with keys sorted; list the paths that differ"));
    connect(m_ignoreOrder, &QCheckBox::toggled, this, &CompareDialog::refresh);
    connect(m_json, &QCheckBox::toggled, this, &CompareDialog::refresh);

    m_pairs->setObjectName(QStringLiteral("comparePairs"));
    m_pairs->setModel(m_pairsModel);
    m_pairs->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_pairs->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_pairs->setSelectionMode(QAbstractItemView::SingleSelection);
    m_pairs->verticalHeader()->hide();
    m_pairs->horizontalHeader()->setStretchLastSection(false);
    m_pairs->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    connect(m_pairs->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) { selectPair(current.row()); });

    auto* options = new QHBoxLayout;
    options->addWidget(m_ignoreOrder);
    options->addWidget(m_json);
    options->addStretch(1);
    auto* lower = new QWidget;
    auto* lowerLayout = new QVBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    lowerLayout->addLayout(options);
    lowerLayout->addWidget(m_summary);
    lowerLayout->addWidget(m_diff, 1);
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_pairs);
    splitter->addWidget(lower);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    splitter->setSizes({ 190, 510 });
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_counts);
    layout->addWidget(splitter, 1);
    m_counts->hide();
    m_pairs->hide();
    resize(1100, 700);
}

void CompareDialog::setFlows(const Flow& left, const Flow& right)
{
    m_left = { left };
    m_right = { right };
    m_matches.clear();
    m_pairsModel->setRows({});
    m_counts->hide();
    m_pairs->hide();
    m_leftIndex = 0;
    m_rightIndex = 0;
    m_leftName = tr("#%1 %2").arg(left.id).arg(escapeControl(matchKey(left)));
    m_rightName = tr("#%1 %2").arg(right.id).arg(escapeControl(matchKey(right)));
    setWindowTitle(tr("Compare two requests"));
    refresh();
}

void CompareDialog::setCaptures(const QList<Flow>& left, const QList<Flow>& right, const QString& leftName,
    const QString& rightName)
{
    m_left = left;
    m_right = right;
    m_leftName = leftName;
    m_rightName = rightName;
    m_matches = matchCaptures(left, right);
    int counts[4] = {};
    QList<QStringList> rows;
    for (const CaptureMatch& m : std::as_const(m_matches)) {
        ++counts[int(m.kind)];
        const Flow* a = m.left >= 0 ? &left[m.left] : nullptr;
        const Flow* b = m.right >= 0 ? &right[m.right] : nullptr;
        const Flow& any = a ? *a : *b;
        QString status = statusText(a);
        if (a && b && statusText(a) != statusText(b))
            status += QStringLiteral(" → ") + statusText(b);
        else if (!a)
            status = statusText(b);
        rows << QStringList { kindText(m.kind), escapeBytes(any.request.method), escapeControl(any.url()), status };
    }
    m_pairsModel->setRows(rows);
    m_pairs->resizeColumnToContents(0);
    m_pairs->resizeColumnToContents(1);
    m_counts->setText(tr("%1 → %2: %3 added, %4 removed, %5 changed, %6 same")
                          .arg(leftName, rightName)
                          .arg(counts[int(CaptureMatch::Kind::Added)])
                          .arg(counts[int(CaptureMatch::Kind::Removed)])
                          .arg(counts[int(CaptureMatch::Kind::Changed)])
                          .arg(counts[int(CaptureMatch::Kind::Same)]));
    m_counts->show();
    m_pairs->show();
    setWindowTitle(tr("Compare captures"));
    // Start on the first difference, if there is one.
    int first = 0;
    for (int i = 0; i < m_matches.size(); ++i)
        if (m_matches[i].kind != CaptureMatch::Kind::Same) {
            first = i;
            break;
        }
    if (m_matches.isEmpty()) {
        m_leftIndex = m_rightIndex = -1;
        refresh();
    } else {
        m_pairs->selectRow(first);
    }
}

void CompareDialog::selectPair(int row)
{
    if (row < 0 || row >= m_matches.size())
        return;
    m_leftIndex = m_matches[row].left;
    m_rightIndex = m_matches[row].right;
    refresh();
}

void CompareDialog::refresh()
{
    CompareOptions options;
    options.ignoreHeaderOrder = m_ignoreOrder->isChecked();
    options.jsonAware = m_json->isChecked();
    const Flow* a = m_leftIndex >= 0 && m_leftIndex < m_left.size() ? &m_left[m_leftIndex] : nullptr;
    const Flow* b = m_rightIndex >= 0 && m_rightIndex < m_right.size() ? &m_right[m_rightIndex] : nullptr;
    m_diff->setTitles(m_leftName, m_rightName);
    if (!a && !b) {
        m_diff->clear();
        m_summary->setText(tr("Nothing to compare."));
        return;
    }
    if (!a || !b) {
        // Only on one side: the whole flow as added or removed.
        const QStringList lines = comparableLines(a ? *a : *b, options);
        m_diff->setDiff(a ? lines : QStringList(), b ? lines : QStringList(),
            diffLines(a ? lines : QStringList(), b ? lines : QStringList()));
        m_summary->setText(a ? tr("Only in %1.").arg(m_leftName) : tr("Only in %1.").arg(m_rightName));
        return;
    }
    const FlowComparison c = compareFlows(*a, *b, options);
    m_diff->setDiff(c.left, c.right, c.ops);
    const auto [removed, added] = diffCounts(c.ops);
    QStringList parts;
    parts << (removed || added ? tr("%1 line(s) removed, %2 added").arg(removed).arg(added) : tr("No differences"));
    if (c.requestJson)
        parts << changesText(tr("Request"), c.requestBodyChanges);
    if (c.responseJson)
        parts << changesText(tr("Response"), c.responseBodyChanges);
    m_summary->setText(parts.join(QStringLiteral(" — ")));
}

QString CompareDialog::summary() const { return m_summary->text(); }
QString CompareDialog::captureCounts() const { return m_counts->text(); }

} // namespace httptap
