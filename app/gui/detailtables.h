// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Widgets the detail pane's table pages (Payload, Cookies) share: a read-only
// row-selecting table over a TextTableModel, and a bold plain-text section title.

#include <QString>

class QLabel;
class QTableView;

namespace httptap {

class TextTableModel;

QTableView* makeDetailTable(TextTableModel* model, const QString& objectName);
QLabel* makeSectionTitle(const QString& text); // plain text: titles never render markup

} // namespace httptap
