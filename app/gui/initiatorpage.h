// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The Initiator tab (issue 12): who sent the request — the thread (name and
// tid) and its user-space call stack as captured in the kernel, innermost
// frame first, one row per frame (#, function+offset, module, address); the
// frame the Initiator column shows is marked. A banner says when the walk
// stopped early (code without frame pointers): the stack is incomplete, and
// nothing is guessed past where it stopped. "Copy stack" puts the stack on the
// clipboard as text. Names come from the target's files and the thread name
// from the target: all shown escaped, in plain-text widgets only.

#include "flow/flow.h"

#include <QWidget>

#include <memory>

class QLabel;
class QPushButton;
class QTableView;

namespace httptap {

class TextTableModel;

class InitiatorPage : public QWidget
{
    Q_OBJECT
public:
    explicit InitiatorPage(QWidget* parent = nullptr);

    // nullptr: none captured. The same stack again (a live flow's next snapshot) changes nothing.
    void setStack(std::shared_ptr<const InitiatorStack> stack);
    TextTableModel* model() const { return m_model; }
    QString bannerText() const; // empty when the stack is whole
    QString threadText() const;
    QString stackText() const; // what Copy stack copies
    void copyStack() const;

private:
    QLabel* m_banner;
    QLabel* m_thread;
    QPushButton* m_copy;
    TextTableModel* m_model;
    QTableView* m_frames;
    std::shared_ptr<const InitiatorStack> m_stack;
};

} // namespace httptap
