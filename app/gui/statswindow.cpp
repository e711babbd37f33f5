// SPDX-License-Identifier: GPL-2.0-or-later
#include "statswindow.h"

#include "mainwindow.h"
#include "models/displayunits.h"
#include "models/flowstatsengine.h"
#include "models/statstablemodel.h"
#include "models/textescape.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLegendMarker>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QTreeView>
#include <QVBoxLayout>
#include <QValueAxis>

namespace httptap {

namespace {

// Status classes in StatusClass order: green, blue, amber, the app's red, grey.
const QColor kClassColors[kStatusClassCount] = { QColor(0x3a, 0x9a, 0x4f), QColor(0x3b, 0x7d, 0xd8),
    QColor(0xe8, 0x9a, 0x1c), QColor(0xd9, 0x3f, 0x3f), QColor(0x9a, 0x9a, 0x9a) };

QString elided(const QString& text, int max)
{
    return text.size() <= max ? text : text.left(max - 1) + QStringLiteral("…");
}

QString percentilesText(const LatencySummary& l)
{
    if (!l.samples)
        return QObject::tr("no responses");
    return QObject::tr("p50 %1 · p95 %2 · p99 %3").arg(durationText(l.p50Ns), durationText(l.p95Ns), durationText(l.p99Ns));
}

QChartView* chartView(QChart* chart)
{
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    auto* view = new QChartView(chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(360, 240);
    return view;
}

} // namespace

StatsWindow::StatsWindow(MainWindow* main, QWidget* parent)
    : QWidget(parent, Qt::Window)
    , m_main(main)
    , m_engine(new FlowStatsEngine(main->store(), main->proxy(), this))
    , m_table(new StatsTableModel(this))
    , m_view(new QTreeView)
    , m_summary(new QLabel)
    , m_latencyText(new QLabel)
    , m_back(new QPushButton(tr("Back")))
    , m_rateChart(new QChart)
    , m_rateSeries(new QStackedBarSeries)
    , m_rateAxisX(new QCategoryAxis)
    , m_rateAxisY(new QValueAxis)
    , m_latencyChart(new QChart)
    , m_latencySeries(new QHorizontalBarSeries)
    , m_latencyAll(new QBarSet(tr("All requests")))
    , m_latencySelected(new QBarSet(QString()))
    , m_latencyAxisY(new QBarCategoryAxis)
    , m_latencyAxisX(new QValueAxis)
{
    setWindowTitle(tr("Statistics — httptap"));
    setObjectName(QStringLiteral("statsWindow"));
    const bool dark = palette().color(QPalette::Window).lightness() < 128;

    m_summary->setObjectName(QStringLiteral("statsSummary"));
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    m_latencyText->setObjectName(QStringLiteral("latencyText"));
    m_latencyText->setTextFormat(Qt::PlainText);
    m_back->setObjectName(QStringLiteral("statsBack"));
    m_back->setEnabled(false);
    m_back->setToolTip(tr("Restore the filter from before the last click"));
    connect(m_back, &QPushButton::clicked, this, &StatsWindow::goBack);

    // Requests per second, stacked by status class; a click filters by class and time range.
    for (int c = 0; c < kStatusClassCount; ++c) {
        auto* set = new QBarSet(statusClassName(StatusClass(c)));
        m_rateSets << set;
        m_rateSeries->append(set);
    }
    m_rateSeries->setBarWidth(0.9);
    m_rateChart->setTitle(tr("Requests per second"));
    m_rateChart->addSeries(m_rateSeries);
    m_rateAxisX->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    m_rateAxisX->setGridLineVisible(false);
    m_rateChart->addAxis(m_rateAxisX, Qt::AlignBottom);
    m_rateChart->addAxis(m_rateAxisY, Qt::AlignLeft);
    m_rateSeries->attachAxis(m_rateAxisX);
    m_rateSeries->attachAxis(m_rateAxisY);
    m_rateAxisY->setLabelFormat(QStringLiteral("%.3g"));
    connect(m_rateSeries, &QStackedBarSeries::clicked, this, [this](int index, QBarSet* set) {
        const QString phrase = rateBarFilter(index, int(m_rateSets.indexOf(set)));
        if (!phrase.isEmpty())
            narrowFilter(phrase);
    });

    // Latency distribution: share of requests per bin, all against the selected row.
    m_latencySeries->append(m_latencyAll);
    m_latencySeries->setBarWidth(0.85);
    m_latencyChart->setTitle(tr("Latency distribution (share of requests with a response)"));
    m_latencyChart->addSeries(m_latencySeries);
    m_latencyChart->addAxis(m_latencyAxisY, Qt::AlignLeft);
    m_latencyChart->addAxis(m_latencyAxisX, Qt::AlignBottom);
    m_latencySeries->attachAxis(m_latencyAxisY);
    m_latencySeries->attachAxis(m_latencyAxisX);
    m_latencyAxisX->setLabelFormat(QStringLiteral("%.0f %%"));
    connect(m_latencySeries, &QHorizontalBarSeries::clicked, this, [this](int index, QBarSet* set) {
        const QString phrase = latencyBarFilter(index, set == m_latencySelected);
        if (!phrase.isEmpty())
            narrowFilter(phrase);
    });
    m_latencyAxisX->setRange(0, 100);

    for (QChart* chart : { m_rateChart, m_latencyChart }) {
        chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
        chart->setBackgroundRoundness(0);
    }
    // Colours and fonts after the theme, which sets its own.
    for (int c = 0; c < kStatusClassCount; ++c) {
        m_rateSets[c]->setColor(kClassColors[c]);
        m_rateSets[c]->setBorderColor(kClassColors[c]);
    }
    m_latencyAll->setColor(QColor(0x3b, 0x7d, 0xd8));
    m_latencyAll->setBorderColor(QColor(0x3b, 0x7d, 0xd8));
    m_latencySelected->setColor(QColor(0xe8, 0x9a, 0x1c));
    m_latencySelected->setBorderColor(QColor(0xe8, 0x9a, 0x1c));

    // Up to 17 bins share the height: a smaller font keeps their labels whole.
    QFont binFont = m_latencyAxisY->labelsFont();
    binFont.setPointSizeF(binFont.pointSizeF() * 0.9);
    m_latencyAxisY->setLabelsFont(binFont);

    QChartView* rateView = chartView(m_rateChart);
    rateView->setObjectName(QStringLiteral("rateChart"));
    rateView->setToolTip(tr("Click a bar to show those requests (that status class, that time) in the flow table"));
    QChartView* latencyView = chartView(m_latencyChart);
    latencyView->setObjectName(QStringLiteral("latencyChart"));
    latencyView->setToolTip(tr("Click a bar to show the requests of that latency in the flow table"));

    m_view->setObjectName(QStringLiteral("statsTable"));
    m_view->setModel(m_table);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSortingEnabled(true);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->header()->setSortIndicator(StatsTableModel::RequestsColumn, Qt::DescendingOrder);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(StatsTableModel::NameColumn, QHeaderView::Stretch);
    for (int c = StatsTableModel::RequestsColumn; c < StatsTableModel::COLUMN_COUNT; ++c)
        m_view->header()->resizeSection(c, 84);
    m_view->header()->setMinimumSectionSize(60);
    connect(m_view, &QTreeView::clicked, this, [this](const QModelIndex& index) {
        const QString phrase = index.siblingAtColumn(0).data(StatsTableModel::FilterRole).toString();
        if (!phrase.isEmpty())
            narrowFilter(phrase);
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
        m_selectedKey = current.siblingAtColumn(0).data(StatsTableModel::KeyRole).toString();
        updateLatencyChart();
    });
    // A new summary resets the model: hosts come back expanded unless the user collapsed
    // them, and the selected row stays selected.
    connect(m_view, &QTreeView::collapsed, this,
        [this](const QModelIndex& index) { m_collapsed.insert(index.data(StatsTableModel::KeyRole).toString()); });
    connect(m_view, &QTreeView::expanded, this,
        [this](const QModelIndex& index) { m_collapsed.remove(index.data(StatsTableModel::KeyRole).toString()); });
    connect(m_table, &QAbstractItemModel::modelReset, this, [this] {
        for (int row = 0; row < m_table->rowCount(); ++row) {
            const QModelIndex host = m_table->index(row, 0);
            if (!m_collapsed.contains(host.data(StatsTableModel::KeyRole).toString()))
                m_view->setExpanded(host, true);
        }
        const QModelIndex selected = m_table->indexForKey(m_selectedKey);
        if (selected.isValid())
            m_view->selectionModel()->setCurrentIndex(selected, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    });

    auto* top = new QHBoxLayout;
    top->addWidget(m_summary, 1);
    top->addWidget(m_back);
    auto* latencyBox = new QWidget;
    auto* latencyLayout = new QVBoxLayout(latencyBox);
    latencyLayout->setContentsMargins(0, 0, 0, 0);
    latencyLayout->addWidget(latencyView, 1);
    latencyLayout->addWidget(m_latencyText);
    auto* charts = new QSplitter(Qt::Horizontal);
    charts->addWidget(rateView);
    charts->addWidget(latencyBox);
    charts->setStretchFactor(0, 3);
    charts->setStretchFactor(1, 2);
    charts->setSizes({ 540, 620 });
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(charts);
    split->addWidget(m_view);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({ 470, 270 });
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(split, 1);

    connect(m_engine, &FlowStatsEngine::statisticsChanged, this, &StatsWindow::statisticsChanged);
    statisticsChanged();
    resize(1180, 760);
}

StatsWindow::~StatsWindow()
{
    // Out of the series, the set has no owner.
    if (!m_latencySeries->barSets().contains(m_latencySelected))
        delete m_latencySelected;
}

void StatsWindow::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    m_engine->setActive(true);
}

void StatsWindow::hideEvent(QHideEvent* event)
{
    QWidget::hideEvent(event);
    m_engine->setActive(false);
}

void StatsWindow::narrowFilter(const QString& phrase)
{
    QLineEdit* edit = m_main->filterEdit();
    const QString current = edit->text();
    m_history << current;
    m_back->setEnabled(true);
    edit->setText(current.trimmed().isEmpty() ? phrase : QLatin1Char('(') + current.trimmed() + QStringLiteral(") and ") + phrase);
    m_main->applyFilter();
}

void StatsWindow::goBack()
{
    if (m_history.isEmpty())
        return;
    m_main->filterEdit()->setText(m_history.takeLast());
    m_back->setEnabled(!m_history.isEmpty());
    m_main->applyFilter();
}

QString StatsWindow::latencyBarFilter(int bar, bool selectedRow) const
{
    // Bars run from the slowest bin (index 0, at the bottom) up to the fastest.
    const int bin = m_lastBin - bar;
    if (bar < 0 || bin < m_firstBin)
        return {};
    if (!selectedRow)
        return latencyBinFilter(bin);
    const QString row = m_table->indexForKey(m_selectedKey).data(StatsTableModel::FilterRole).toString();
    return row.isEmpty() ? QString() : row + QLatin1Char(' ') + latencyBinFilter(bin);
}

QString StatsWindow::rateBarFilter(int bar, int statusClass) const
{
    const auto& s = *m_engine->statistics();
    if (bar < 0 || size_t(bar) >= s.bars.size() || statusClass < 0 || statusClass >= kStatusClassCount)
        return {};
    const RateBar& b = s.bars[size_t(bar)];
    if (!b.counts[size_t(statusClass)])
        return {};
    return idRangeFilter(b.firstId, b.lastId) + QLatin1Char(' ') + statusClassFilter(StatusClass(statusClass));
}

void StatsWindow::statisticsChanged()
{
    const std::shared_ptr<const FlowStatistics> s = m_engine->statistics();
    m_table->setStatistics(s);
    updateSummary(*s);
    updateRateChart(*s);
    updateLatencyChart();
}

void StatsWindow::updateSummary(const FlowStatistics& s)
{
    const TrafficSummary& t = s.overall;
    const QString expression = m_engine->filter().expression().trimmed();
    const QString scope = expression.isEmpty() ? tr("all flows") : tr("filter: %1").arg(escapeControl(elided(expression, 160)));
    m_summary->setText(tr("%1 requests · %2 errors (%3 %) · %4 · %5 — %6")
                           .arg(t.requests)
                           .arg(t.errors)
                           .arg(t.errorRate() * 100.0, 0, 'f', 1)
                           .arg(sizeText(t.bytes), percentilesText(t.latency), scope));
}

QString StatsWindow::timeLabel(uint64_t monotonicNs, uint64_t originNs) const
{
    const CaptureClock& clock = m_main->captureClock();
    if (clock.isAnchored())
        return QDateTime::fromMSecsSinceEpoch(clock.toRealtimeNs(monotonicNs) / 1'000'000).toString(QStringLiteral("HH:mm:ss"));
    const uint64_t seconds = (monotonicNs - originNs) / 1'000'000'000;
    return QStringLiteral("+%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

void StatsWindow::updateRateChart(const FlowStatistics& s)
{
    const int n = int(s.bars.size());
    const double seconds = double(s.barNs) / 1e9;
    double top = 0;
    for (int c = 0; c < kStatusClassCount; ++c) {
        QList<qreal> values;
        values.reserve(n);
        for (const RateBar& bar : s.bars)
            values << double(bar.counts[size_t(c)]) / seconds;
        m_rateSets[c]->remove(0, m_rateSets[c]->count());
        m_rateSets[c]->append(values);
    }
    for (const RateBar& bar : s.bars) {
        uint64_t sum = 0;
        for (uint32_t count : bar.counts)
            sum += count;
        top = std::max(top, double(sum) / seconds);
    }
    m_rateAxisY->setRange(0, top > 0 ? top : 1);
    m_rateAxisY->applyNiceNumbers();
    m_rateAxisY->setTitleText(seconds > 1 ? tr("requests/s (bars of %1 s)").arg(seconds) : tr("requests/s"));

    for (const QString& label : m_rateAxisX->categoriesLabels())
        m_rateAxisX->remove(label);
    m_rateAxisX->setStartValue(-0.5);
    // About six labels, at bar centres.
    const int step = std::max(1, (n + 5) / 6);
    for (int i = 0; i < n; i += step)
        m_rateAxisX->append(timeLabel(s.originNs + uint64_t(i) * s.barNs, s.originNs), i);
    m_rateAxisX->setRange(-0.5, std::max(n, 1) - 0.5);
}

void StatsWindow::updateLatencyChart()
{
    const auto& s = *m_engine->statistics();
    const QModelIndex current = m_table->indexForKey(m_selectedKey);
    const TrafficSummary* selected = m_table->traffic(current);

    // Only the bins from the fastest to the slowest request seen, fastest at the top.
    int first = kLatencyBinCount;
    int last = -1;
    for (const TrafficSummary* t : { &s.overall, selected }) {
        for (int b = 0; t && b < kLatencyBinCount; ++b) {
            if (t->bins[size_t(b)]) {
                first = std::min(first, b);
                last = std::max(last, b);
            }
        }
    }
    if (last < 0) {
        first = latencyBinOf(1'000'000);
        last = latencyBinOf(100'000'000);
    }
    auto fill = [&](QBarSet* set, const TrafficSummary& t) {
        QList<qreal> values;
        for (int b = last; b >= first; --b)
            values << (t.latency.samples ? 100.0 * double(t.bins[size_t(b)]) / double(t.latency.samples) : 0.0);
        set->remove(0, set->count());
        set->append(values);
    };
    m_firstBin = first;
    m_lastBin = last;
    QStringList labels;
    for (int b = last; b >= first; --b)
        labels << latencyBinLabel(b);
    m_latencyAxisY->clear();
    m_latencyAxisY->append(labels);
    fill(m_latencyAll, s.overall);
    if (selected) {
        fill(m_latencySelected, *selected);
        m_latencySelected->setLabel(elided(current.data().toString(), 48));
        if (!m_latencySeries->barSets().contains(m_latencySelected))
            m_latencySeries->append(m_latencySelected);
    } else if (m_latencySeries->barSets().contains(m_latencySelected)) {
        m_latencySeries->take(m_latencySelected);
    }
    double top = 0;
    for (QBarSet* set : m_latencySeries->barSets())
        for (int i = 0; i < set->count(); ++i)
            top = std::max(top, set->at(i));
    m_latencyAxisX->setRange(0, top > 0 ? std::min(100.0, top * 1.1) : 100.0);
    m_latencyAxisX->applyNiceNumbers();

    QString text = tr("All requests: %1").arg(percentilesText(s.overall.latency));
    if (selected)
        text += QLatin1Char('\n') + tr("%1: %2").arg(elided(current.data().toString(), 60), percentilesText(selected->latency));
    m_latencyText->setText(text);
}

} // namespace httptap
