// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The Statistics window (View ▸ Statistics): for the flows the table's filter
// currently accepts, live — requests per second over time stacked by status
// class, the latency distribution with p50/p95/p99 (all requests, and the
// selected host or endpoint beside them), and the hosts and endpoints table.
//
// Numbers come from FlowStatsEngine (computed off the GUI thread). Clicking a
// table row or a bar of the rate chart narrows the main filter to those
// flows — the phrase (endpoint, status class and time range in the filter
// language) is joined to the current filter with "and"; Back restores the
// filter that was there before the click.

#include "flow/captureclock.h"

#include <QSet>
#include <QWidget>

#include <memory>

class QBarSet;
class QCategoryAxis;
class QChart;
class QChartView;
class QBarCategoryAxis;
class QHorizontalBarSeries;
class QLabel;
class QPushButton;
class QStackedBarSeries;
class QTreeView;
class QValueAxis;

namespace httptap {

class FlowStatsEngine;
class MainWindow;
class StatsTableModel;
struct FlowStatistics;

class StatsWindow : public QWidget
{
    Q_OBJECT
public:
    explicit StatsWindow(MainWindow* main, QWidget* parent = nullptr);
    ~StatsWindow() override;

    FlowStatsEngine* engine() const { return m_engine; }
    StatsTableModel* tableModel() const { return m_table; }
    QTreeView* tableView() const { return m_view; }
    QStackedBarSeries* rateSeries() const { return m_rateSeries; }
    QHorizontalBarSeries* latencySeries() const { return m_latencySeries; }
    QLabel* summaryLabel() const { return m_summary; }
    QLabel* latencyLabel() const { return m_latencyText; }
    QPushButton* backButton() const { return m_back; }

    // Joins the phrase to the main filter ("(current) and phrase") and applies it now.
    void narrowFilter(const QString& phrase);
    // Puts back the filter from before the last narrowFilter().
    void goBack();
    // What a click on bar `bar` of status class `statusClass` in the rate chart filters by.
    QString rateBarFilter(int bar, int statusClass) const;
    // What a click on bar `bar` (counted from the top) of the latency chart filters by; for the
    // selected row's set, that row's flows only.
    QString latencyBarFilter(int bar, bool selectedRow) const;

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    void statisticsChanged();
    void updateRateChart(const FlowStatistics& s);
    void updateLatencyChart();
    void updateSummary(const FlowStatistics& s);
    QString timeLabel(uint64_t monotonicNs, uint64_t originNs) const;

    MainWindow* m_main;
    FlowStatsEngine* m_engine;
    StatsTableModel* m_table;
    QTreeView* m_view;
    QLabel* m_summary;
    QLabel* m_latencyText;
    QPushButton* m_back;
    QStringList m_history; // filter texts before each click, newest last

    QChart* m_rateChart;
    QStackedBarSeries* m_rateSeries;
    QList<QBarSet*> m_rateSets; // one per StatusClass
    QCategoryAxis* m_rateAxisX;
    QValueAxis* m_rateAxisY;

    QChart* m_latencyChart;
    QHorizontalBarSeries* m_latencySeries;
    QBarSet* m_latencyAll;
    QBarSet* m_latencySelected;
    QBarCategoryAxis* m_latencyAxisY;
    int m_firstBin = 0; // the latency chart shows bins m_lastBin (top) down to m_firstBin
    int m_lastBin = -1;
    QValueAxis* m_latencyAxisX;

    // Kept across summaries, by key: hosts the user collapsed, the selected row.
    QSet<QString> m_collapsed;
    QString m_selectedKey;
};

} // namespace httptap
