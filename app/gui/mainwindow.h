// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The application window, shaped like a browser's Network tab: a toolbar
// with the filter bar, the flow table (FlowTableModel behind FlowFilterProxy)
// beside the detail pane of the selected flow, and a status bar with the
// capture's source, flows shown / total, lost events and errors.
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
    void stopCapture();
    LiveCapture* liveCapture() const { return m_live; }

    void copyUrl();
    void copyCurl();
    void copyResponseBody();
    // Compare: the two selected flows side by side; two capture files request by request.
    void compareSelected();
    bool compareCaptures(const QString& leftPath, const QString& rightPath, QString* error = nullptr);

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
    LiveCapture* m_live;
    std::unique_ptr<RawCaptureParser> m_liveParser;
    QTimer* m_progressTimer;
    bool m_followNewRows = true;
    QAction* m_recordAction = nullptr;
    QAction* m_stopAction = nullptr;
    StatsWindow* m_stats = nullptr;
    QByteArray m_raw; // the record stream the flows came from (empty for HAR)
    CaptureClock m_clock;
    uint64_t m_lostEvents = 0;
};

} // namespace httptap
