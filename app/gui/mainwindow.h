// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The application window, shaped like a browser's Network tab: a toolbar
// with the filter bar, the flow table (FlowTableModel behind FlowFilterProxy)
// beside the detail pane of the selected flow, and a status bar with the
// capture's targets, flows shown / total, data transferred, incomplete flows,
// lost events and errors. The table's columns are chosen from the header's
// context menu; their choice, order, widths and the sort are kept in
// QSettings (main() restores them at start and saves them on exit).
//
// Flows come from files (raw capture or HAR) or a live capture; either way
// they go through the FlowStore in batches. A failure (a corrupt file, a
// filter syntax error, a capture that cannot start) is shown as a message and
// never discards the flows already there.

#include "flow/captureclock.h"

#include <QMainWindow>

#include <functional>

#include <memory>
#include <sys/types.h>
#include <vector>

class QLabel;
class QLineEdit;
class QMenu;
class QSettings;
class QTableView;
class QTimer;

namespace httptap {

class DetailPane;
class LiveCapture;
class RawCaptureParser;
class StatsWindow;
class FlowFilterProxy;
class FlowStore;
class FlowTableModel;
struct Flow;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    QTableView* flowView() const { return m_flowView; }
    FlowStore* store() const { return m_store; }
    FlowTableModel* flowModel() const { return m_model; }
    FlowFilterProxy* proxy() const { return m_proxy; }
    DetailPane* detailPane() const { return m_detail; }
    QLineEdit* filterEdit() const { return m_filterEdit; }
    QLabel* filterError() const { return m_filterError; }
    // The table scrolls to new rows (the view is at the bottom, or nothing was scrolled yet).
    bool followsNewRows() const { return m_followNewRows; }
    // Feeds record-stream bytes as a live capture does (pending rows, updates in place); for tests.
    void feedLiveBytes(const QByteArray& bytes);
    QMenu* contextMenu() const { return m_contextMenu; }
    const CaptureClock& captureClock() const { return m_clock; }
    // View ▸ Statistics: the window is made on first use.
    StatsWindow* showStatistics();
    StatsWindow* statsWindow() const { return m_stats; }

    // Opens a raw capture or a HAR file; false with a message shown (and in *error) on failure.
    bool openFile(const QString& path, QString* error = nullptr);
    bool loadRawCapture(const QByteArray& bytes, const QString& source, QString* error = nullptr);
    bool saveRawCapture(const QString& path, QString* error = nullptr);
    // Redacted (Authorization, Cookie…) unless withSensitiveData: the user's explicit choice.
    bool saveHar(const QString& path, QString* error = nullptr, bool withSensitiveData = false);
    bool exportJsonl(const QString& path, QString* error = nullptr);
    // Applies the filter bar's text now (normally ~150 ms after typing stops).
    void applyFilter();
    // Flows of the selected rows, in view order.
    QList<const Flow*> selectedFlows() const;
    void clearFlows();

    // Live capture of these processes (and, with followChildren, their children); the table
    // starts empty. False with the reason shown (and in *error) when it cannot start.
    bool startCapture(const std::vector<pid_t>& pids, bool followChildren, QString* error = nullptr);
    // Launches argv in workingDirectory under capture from its first instruction; same contract.
    bool startCommand(const QStringList& argv, const QString& workingDirectory, bool followChildren,
        QString* error = nullptr);
    // Traces more processes in the running capture.
    bool addProcesses(const std::vector<pid_t>& pids, QString* error = nullptr);
    void stopCapture();
    LiveCapture* liveCapture() const { return m_live; }

    void copyUrl();
    void copyCurl();
    // Every row the filter shows, in view order.
    void copyAllVisibleCurl();
    void copyResponseBody();
    // Compare: the two selected flows side by side; two capture files request by request.
    void compareSelected();
    bool compareCaptures(const QString& leftPath, const QString& rightPath, QString* error = nullptr);
    // Request line / status line and headers as on the wire, one block per selected flow.
    void copyRequestHeaders();
    void copyResponseHeaders();
    // One HAR entry (an array of them for several flows), redacted like Save as HAR.
    void copyHarEntry();
    // The selected flows only (redacted).
    bool saveSelectionHar(const QString& path, QString* error = nullptr);
    // The table as shown (visible rows, every column), one JSON object per row keyed by column title.
    bool dumpTable(const QString& path, QString* error = nullptr) const;

    // Columns (choice, order, widths) and sort of the flow table.
    void saveSettings(QSettings& settings) const;
    void restoreSettings(const QSettings& settings);
    // The header's context menu: a checkable entry per column, then "Reset Columns". Caller owns it.
    QMenu* createColumnMenu(QWidget* parent);
    void resetColumns();
    // The text of the status bar's error label (empty when there is none).
    QString errorText() const;

private:
    void setupActions();
    void updateStatus();
    void showError(const QString& message);
    void selectionChanged();
    void openDialog();
    void saveDialog(const QString& title, const QString& filter, const std::function<bool(const QString&, QString*)>& save);
    void showAbout();
    void compareCapturesDialog();
    void pickProcesses();
    void pickMoreProcesses();
    bool beginCapture(const std::function<bool(QString*)>& start, const QString& targets, QString* error);
    void countFlows(int first, int last);
    void recountFlows(const std::vector<int>& indices);
    void captureBytes(const QByteArray& bytes);
    void captureFinished(const QString& error);
    void selectedFlowsUpdated(const std::vector<int>& indices);
    void startLiveParser();

    FlowStore* m_store;
    FlowTableModel* m_model;
    FlowFilterProxy* m_proxy;
    QTableView* m_flowView;
    DetailPane* m_detail;
    QLineEdit* m_filterEdit;
    QLabel* m_filterError;
    QList<QAction*> m_typeToggles; // quick type filters, each with its expression in data()
    QAction* m_errorsOnly = nullptr;
    QTimer* m_filterTimer;
    QMenu* m_contextMenu = nullptr;
    QLabel* m_sourceLabel;
    QLabel* m_countLabel;
    QLabel* m_lostLabel;
    QLabel* m_errorLabel;
    QLabel* m_dataLabel;
    QLabel* m_incompleteLabel;
    LiveCapture* m_live;
    std::unique_ptr<RawCaptureParser> m_liveParser;
    QTimer* m_progressTimer;
    bool m_followNewRows = true;
    QAction* m_recordAction = nullptr;
    QAction* m_stopAction = nullptr;
    StatsWindow* m_stats = nullptr;
    QAction* m_addAction = nullptr;
    QByteArray m_raw; // the record stream the flows came from (empty for HAR)
    CaptureClock m_clock;
    uint64_t m_lostEvents = 0;
    uint64_t m_bytes = 0; // request and response body bytes of every stored flow
    int m_incomplete = 0; // stored flows with a completeness badge
    struct FlowTotals {
        uint64_t bytes;
        bool incomplete;
    };
    std::vector<FlowTotals> m_flowTotals; // per stored flow, to recount one replaced in place
};

} // namespace httptap
