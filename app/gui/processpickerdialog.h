// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Chooses what to capture: a searchable list of processes (several may be
// selected; the search matches every column) with their icon and the
// coverage doctor's TLS findings, whether their children are followed, or
// "Launch a Command…" to start a new program under capture. In AddMode (a
// capture is running) it only picks processes to add.

#include "models/processlistmodel.h"

#include <QDialog>
#include <QFutureWatcher>
#include <QStringList>

#include <sys/types.h>
#include <vector>

class QCheckBox;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace httptap {

class ProcessPickerDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Mode { NewCapture, AddToCapture };
    // With inspectTls, the coverage doctor looks at every process on a worker thread (when built in).
    explicit ProcessPickerDialog(QWidget* parent = nullptr, Mode mode = Mode::NewCapture, bool inspectTls = true);
    ~ProcessPickerDialog() override;

    std::vector<pid_t> selectedPids() const;
    bool followChildren() const;
    // Set when the user chose "Launch a Command…" and confirmed it: argv and working directory.
    QStringList launchArguments() const { return m_launchArguments; }
    QString launchDirectory() const { return m_launchDirectory; }

    ProcessListModel* model() const { return m_model; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    QLineEdit* search() const { return m_search; }
    QTableView* view() const { return m_view; }
    QPushButton* launchButton() const { return m_launch; }
    // True until the coverage doctor's findings are in the model.
    bool inspecting() const { return m_inspecting; }

private:
    void launchCommand();

    ProcessListModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QLineEdit* m_search;
    QTableView* m_view;
    QCheckBox* m_follow;
    QPushButton* m_launch = nullptr;
    QFutureWatcher<std::vector<ProcessListModel::Process>> m_inspection;
    bool m_inspecting = false;
    QStringList m_launchArguments;
    QString m_launchDirectory;
};

} // namespace httptap
