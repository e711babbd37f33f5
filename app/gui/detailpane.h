// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The detail pane for the selected flow: tabs Headers (general facts and
// completeness, response and request headers in wire order, or the raw
// head), Payload (query string, form fields, JSON), Response (JSON pretty-
// printed, text, images as images, anything else as hex), Trailers, Timing.
//
// Captured text only ever reaches plain-text widgets, control characters
// escaped. Large bodies are capped for display (kTextCap / kHexCap) with a
// line saying so, so a 10 MiB body opens at once.

#include "flow/captureclock.h"
#include "flow/flow.h"

#include <QWidget>

#include <optional>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QStackedWidget;
class QTabWidget;

namespace httptap {

class DetailPane : public QWidget
{
    Q_OBJECT
public:
    static constexpr qsizetype kTextCap = 1 << 20;
    static constexpr qsizetype kHexCap = 64 << 10;

    explicit DetailPane(QWidget* parent = nullptr);

    void setClock(const CaptureClock& clock) { m_clock = clock; }
    void setFlow(const Flow* flow); // nullptr: nothing selected
    void clear() { setFlow(nullptr); }

    QTabWidget* tabs() const { return m_tabs; }
    QString headersText() const;
    QString payloadText() const;
    QString responseText() const;
    QString trailersText() const;
    QString timingText() const;
    bool showsImage() const;

    // The body shown for display: decoded when Content-Encoding was undone. Empty without one.
    static QByteArray displayBody(const HttpMessage& message);
    // Body bytes as text for a plain widget: pretty JSON, escaped text or a hex dump, capped.
    static QString bodyText(const QByteArray& body, uint64_t observedSize, const QString& mimeType);

private:
    void refresh();

    QTabWidget* m_tabs;
    QPlainTextEdit* m_headers;
    QCheckBox* m_raw;
    QPlainTextEdit* m_payload;
    QStackedWidget* m_responseStack;
    QPlainTextEdit* m_response;
    QLabel* m_image;
    QPlainTextEdit* m_trailers;
    QPlainTextEdit* m_timing;
    std::optional<Flow> m_flow;
    CaptureClock m_clock;
};

} // namespace httptap
