// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// One body, shown by what it is (BodyKind): JSON pretty-printed in its own
// key order, XML/HTML/JavaScript/CSS highlighted, images (PNG, JPEG, GIF,
// WebP, BMP, ICO; SVG when Qt's SVG plugin is installed) decoded with limits,
// other text escaped, binary as a hex dump. A line above says what is shown
// (kind, size, a cut capture, a prefix only).
//
// Large bodies open at once: only the first kPreviewBytes are formatted and
// highlighted (JSON is still checked whole, which is linear and cheap), with
// a "Load full body" button for the rest. The full text is highlighted only up
// to kHighlightLimit, past which colouring costs seconds.
//
// Captured bytes are untrusted: text goes only to a QPlainTextEdit, control
// characters escaped (textescape); images through QImageReader with a size
// check before decoding and an allocation limit.

#include "format/bodykind.h"

#include <QByteArray>
#include <QStringList>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QSyntaxHighlighter;
class QTimer;

namespace httptap {

class BodyView : public QWidget
{
    Q_OBJECT
public:
    static constexpr qsizetype kPreviewBytes = 256 << 10;
    static constexpr qsizetype kHexPreviewBytes = 64 << 10;
    static constexpr qsizetype kHighlightLimit = 2 << 20;
    static constexpr qsizetype kMaxImageBytes = 32 << 20;
    static constexpr qint64 kMaxImagePixels = 64LL << 20;

    explicit BodyView(const QString& objectName, QWidget* parent = nullptr);

    // mimeType: lower case without parameters; observedSize: bytes seen on the wire (≥ body.size() when cut).
    void setBody(const QByteArray& body, uint64_t observedSize, const QString& mimeType);
    // A sentence instead of a body ("No response was captured.").
    void setMessage(const QString& text);
    // The same body, grown: a response still streaming. While the view shows plain text of the
    // body from its first byte (Text, not highlighted), only the bytes that arrived since are
    // escaped and appended — never the megabytes before them — and a view at its end follows;
    // past kPreviewBytes the prefix shown stays as it is. Anything else is shown anew (setBody).
    void appendBody(const QByteArray& body, uint64_t observedSize, const QString& mimeType);

    BodyKind kind() const { return m_kind; }
    QString text() const; // the text shown (empty for an image)
    QString info() const; // the line above the body
    bool showsImage() const;
    bool highlighted() const { return m_highlighter != nullptr; }
    bool canLoadAll() const;
    // Formats the whole body on a worker thread, then fills the editor a slice per event loop turn.
    void loadAll();
    bool isLoading() const; // loadAll() has not finished yet
    QPlainTextEdit* editor() const { return m_text; }

protected:
    void changeEvent(QEvent* event) override;

private:
    // The text of a body: a pure function of the bytes, so the whole body can be formatted off the GUI thread.
    struct Formatted {
        QString text;
        bool cut = false; // a prefix only
        QStringList notes;
    };
    static Formatted formatText(const QByteArray& body, BodyKind kind, bool all);
    void render(bool all);
    void showFormatted(const Formatted& formatted);
    void stopLoading();
    void insertNextChunk();
    QStringList cutNotes() const;
    bool showImage(const QByteArray& format);

    QLabel* m_info;
    QPushButton* m_loadAll;
    QStackedWidget* m_stack;
    QPlainTextEdit* m_text;
    QLabel* m_image;
    QTimer* m_chunkTimer;
    QSyntaxHighlighter* m_highlighter = nullptr;
    QString m_pending; // the whole text being inserted by loadAll()
    qsizetype m_pendingAt = 0;
    QStringList m_pendingNotes;
    QString m_imageProblem; // why an image was not decoded (then shown as hex)
    quint64 m_generation = 0;
    QByteArray m_body;
    uint64_t m_observed = 0;
    BodyKind m_kind = BodyKind::Empty;
    bool m_all = false;
    qsizetype m_textEnd = 0; // appendBody(): bytes of m_body whose text the editor holds
};

} // namespace httptap
