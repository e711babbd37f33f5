// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QMainWindow>

class QStandardItemModel;
class QTableView;

namespace httptap {

// The application window: a flow table shaped like a browser's Network tab.
//
// For now the table is an empty placeholder with the final columns; live
// capture from the GUI needs the helper's D-Bus service (issue 5) and the flow
// table model (issue 9). Until then httptap-record captures from the command
// line.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    enum class Column {
        Method,
        Url,
        Status,
        Type,
        Size,
        Time,
        Process,
        COLUMN_COUNT
    };

    explicit MainWindow(QWidget* parent = nullptr);

    QTableView* flowView() const { return m_flowView; }

private:
    void setupMenus();
    void showAbout();

    QStandardItemModel* m_flowModel = nullptr;
    QTableView* m_flowView = nullptr;
};

} // namespace httptap
