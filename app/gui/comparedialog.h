// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Compare, in a window of its own. Two flows: their request lines, headers
// and bodies side by side (DiffView), with options to ignore header order and
// to compare JSON bodies as data (canonical form; the changed paths listed
// above the diff). Two captures: their requests matched by method and URL
// (matchCaptures) in a table marked added / removed / changed / same, with a
// count of each; selecting a row shows that pair's diff below.

#include "diff/flowcompare.h"

#include <QDialog>

class QCheckBox;
class QLabel;
class QTableView;

namespace httptap {

class DiffView;
class TextTableModel;

class CompareDialog : public QDialog
{
    Q_OBJECT
public:
    explicit CompareDialog(QWidget* parent = nullptr);

    void setFlows(const Flow& left, const Flow& right);
    void setCaptures(const QList<Flow>& left, const QList<Flow>& right, const QString& leftName, const QString& rightName);
    // Shows the diff of one row of the captures' table.
    void selectPair(int row);

    DiffView* diffView() const { return m_diff; }
    QString summary() const; // "2 lines removed, 3 added…"
    QString captureCounts() const; // "1 added, 2 removed, 1 changed, 3 same"
    const QList<CaptureMatch>& matches() const { return m_matches; }
    TextTableModel* pairsModel() const { return m_pairsModel; }
    QCheckBox* ignoreHeaderOrder() const { return m_ignoreOrder; }
    QCheckBox* jsonAware() const { return m_json; }

private:
    void refresh();

    QLabel* m_counts;
    QTableView* m_pairs;
    TextTableModel* m_pairsModel;
    QCheckBox* m_ignoreOrder;
    QCheckBox* m_json;
    QLabel* m_summary;
    DiffView* m_diff;
    QList<Flow> m_left;
    QList<Flow> m_right;
    QString m_leftName;
    QString m_rightName;
    QList<CaptureMatch> m_matches;
    int m_leftIndex = -1; // the pair on show
    int m_rightIndex = -1;
};

} // namespace httptap
