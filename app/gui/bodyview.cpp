// SPDX-License-Identifier: GPL-2.0-or-later
#include "bodyview.h"

#include "format/jsonpretty.h"
#include "format/xmlindent.h"
#include "highlight/highlighterfactory.h"
#include "models/textescape.h"

#include <QBuffer>
#include <QEvent>
#include <QFutureWatcher>
#include <QTextCursor>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QLocale>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QScrollArea>
#include <QStackedWidget>
#include <QSyntaxHighlighter>
#include <QVBoxLayout>

#include <cstring>

namespace httptap {

namespace {

QString kindName(BodyKind kind)
{
    switch (kind) {
    case BodyKind::Json: return QObject::tr("JSON");
    case BodyKind::Xml: return QObject::tr("XML");
    case BodyKind::Html: return QObject::tr("HTML");
    case BodyKind::JavaScript: return QObject::tr("JavaScript");
    case BodyKind::Css: return QObject::tr("CSS");
    case BodyKind::Text: return QObject::tr("Text");
    case BodyKind::Image: return QObject::tr("Image");
    case BodyKind::Svg: return QObject::tr("SVG");
    case BodyKind::Binary: return QObject::tr("Binary");
    case BodyKind::Empty: break;
    }
    return {};
}

QString bytes(qint64 n)
{
    return QLocale::system().formattedDataSize(n, 1, QLocale::DataSizeIecFormat);
}

} // namespace

BodyView::BodyView(const QString& objectName, QWidget* parent)
    : QWidget(parent)
    , m_info(new QLabel)
    , m_loadAll(new QPushButton(tr("Load full body")))
    , m_stack(new QStackedWidget)
    , m_text(new QPlainTextEdit)
    , m_image(new QLabel)
    , m_chunkTimer(new QTimer(this))
{
    setObjectName(objectName);
    m_text->setObjectName(objectName + QLatin1String("Text"));
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setUndoRedoEnabled(false);
    m_chunkTimer->setInterval(0);
    connect(m_chunkTimer, &QTimer::timeout, this, &BodyView::insertNextChunk);
    m_info->setObjectName(objectName + QLatin1String("Info"));
    m_info->setTextFormat(Qt::PlainText);
    m_info->setWordWrap(true);
    m_loadAll->setObjectName(objectName + QLatin1String("LoadAll"));
    connect(m_loadAll, &QPushButton::clicked, this, &BodyView::loadAll);
    m_image->setObjectName(objectName + QLatin1String("Image"));
    m_image->setTextFormat(Qt::PlainText);
    m_image->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    auto* imageScroll = new QScrollArea;
    imageScroll->setWidget(m_image);
    imageScroll->setWidgetResizable(true);
    m_stack->addWidget(m_text);
    m_stack->addWidget(imageScroll);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 2);
    bar->addWidget(m_info, 1);
    bar->addWidget(m_loadAll);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_stack);
    setMessage(QString());
}

void BodyView::setMessage(const QString& text)
{
    stopLoading();
    m_imageProblem.clear();
    delete m_highlighter;
    m_highlighter = nullptr;
    m_body.clear();
    m_kind = BodyKind::Empty;
    m_image->clear();
    m_stack->setCurrentIndex(0);
    m_text->setPlainText(text);
    m_info->clear();
    m_info->hide();
    m_loadAll->hide();
}

void BodyView::setBody(const QByteArray& body, uint64_t observedSize, const QString& mimeType)
{
    setMessage(QString());
    m_body = body;
    m_observed = std::max<uint64_t>(observedSize, uint64_t(body.size()));
    m_kind = classifyBody(body, mimeType);
    m_all = false;
    render(false);
}

// The longest prefix of bytes[0, limit) that does not end inside a UTF-8 sequence.
static qsizetype utf8Boundary(const QByteArray& bytes, qsizetype limit)
{
    qsizetype i = limit;
    int continuation = 0;
    while (i > 0 && continuation < 3 && (uchar(bytes[i - 1]) & 0xc0) == 0x80) {
        --i;
        ++continuation;
    }
    if (i == 0)
        return limit;
    const uchar lead = uchar(bytes[i - 1]);
    const int need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    return need > 1 && limit - (i - 1) < need ? i - 1 : limit;
}

void BodyView::appendBody(const QByteArray& body, uint64_t observedSize, const QString& mimeType)
{
    const bool sameStart = body.size() >= m_body.size()
        && (body.constData() == m_body.constData()
            || std::memcmp(body.constData(), m_body.constData(), size_t(m_body.size())) == 0);
    const bool plain = m_kind == BodyKind::Text && !m_highlighter && !isLoading() && m_stack->currentIndex() == 0
        && m_observed == uint64_t(m_body.size()) && observedSize <= uint64_t(body.size());
    if (!sameStart || !plain || body.isEmpty()) {
        setBody(body, observedSize, mimeType);
        m_textEnd = utf8Boundary(body, std::min(body.size(), kPreviewBytes));
        return;
    }
    const qsizetype end = utf8Boundary(body, std::min(body.size(), kPreviewBytes));
    if (end > m_textEnd) {
        QScrollBar* bar = m_text->verticalScrollBar();
        const bool following = bar->value() >= bar->maximum();
        QTextCursor cursor(m_text->document());
        cursor.movePosition(QTextCursor::End);
        cursor.insertText(escapeBytes(body.mid(m_textEnd, end - m_textEnd), true));
        if (following)
            bar->setValue(bar->maximum());
        m_textEnd = end;
    }
    m_body = body;
    m_observed = std::max<uint64_t>(observedSize, uint64_t(body.size()));
    QStringList notes { tr("%1, %2").arg(kindName(m_kind), bytes(body.size())), tr("still arriving") };
    if (m_textEnd < body.size())
        notes << tr("first %1 shown").arg(bytes(m_textEnd));
    m_info->setText(notes.join(QStringLiteral(" — ")));
}

bool BodyView::showImage(const QByteArray& format)
{
    if (m_body.size() > kMaxImageBytes) {
        m_info->setText(tr("%1 image of %2: too large to decode").arg(QString::fromLatin1(format).toUpper(), bytes(m_body.size())));
        return false;
    }
    QBuffer buffer(&m_body);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer, format);
    reader.setAllocationLimit(512); // MiB: the decoder refuses anything larger
    const QSize size = reader.size();
    if (size.isValid() && qint64(size.width()) * size.height() > kMaxImagePixels) {
        m_info->setText(tr("%1 image %2×%3: too large to decode (over %4 pixels)")
                            .arg(QString::fromLatin1(format).toUpper())
                            .arg(size.width())
                            .arg(size.height())
                            .arg(kMaxImagePixels));
        return false;
    }
    const QImage image = reader.read();
    if (image.isNull()) {
        m_info->setText(tr("Could not decode the %1 image (%2)")
                            .arg(QString::fromLatin1(format).toUpper(), reader.errorString()));
        return false;
    }
    m_image->setPixmap(QPixmap::fromImage(image));
    m_stack->setCurrentIndex(1);
    m_info->setText(tr("%1 image, %2×%3, %4").arg(QString::fromLatin1(format).toUpper()).arg(image.width())
                        .arg(image.height()).arg(bytes(m_body.size())));
    return true;
}

BodyView::Formatted BodyView::formatText(const QByteArray& body, BodyKind kind, bool all)
{
    Formatted f;
    const qsizetype size = body.size();
    if (kind == BodyKind::Binary) {
        const qsizetype shown = all ? size : std::min(size, kHexPreviewBytes);
        f.text = hexDump(body.left(shown));
        f.cut = shown < size;
        f.notes << QObject::tr("Binary, %1, as hex").arg(bytes(size));
        if (f.cut)
            f.notes << QObject::tr("first %1 shown").arg(bytes(shown));
        return f;
    }
    const qsizetype limit = all ? size : kPreviewBytes;
    f.notes << QObject::tr("%1, %2").arg(kindName(kind), bytes(size));
    if (kind == BodyKind::Json) {
        const PrettyJson pretty = prettyJson(body, all ? -1 : limit);
        if (pretty.valid) {
            f.text = escapeBytes(pretty.text, true);
            f.cut = !pretty.complete;
        } else {
            f.notes << QObject::tr("not valid JSON, shown as sent");
        }
    }
    if (kind == BodyKind::Xml || kind == BodyKind::Svg) {
        if (const auto indented = indentXml(body, all ? -1 : limit)) {
            f.text = escapeBytes(indented->text, true);
            f.cut = !indented->complete;
            f.notes << QObject::tr("re-indented");
        }
    }
    if (f.text.isEmpty()) {
        f.text = escapeBytes(body.left(limit), true);
        f.cut = limit < size;
    }
    if (f.cut)
        f.notes << QObject::tr("first %1 shown").arg(bytes(limit));
    return f;
}

QStringList BodyView::cutNotes() const
{
    if (m_observed > uint64_t(m_body.size()))
        return { tr("body cut: %1 of %2 bytes captured").arg(m_body.size()).arg(m_observed) };
    return {};
}

void BodyView::stopLoading()
{
    ++m_generation; // a formatting job still running is ignored when it ends
    m_chunkTimer->stop();
    m_pending.clear();
    m_pendingAt = 0;
    m_loadAll->setEnabled(true);
}

void BodyView::render(bool all)
{
    stopLoading();
    delete m_highlighter;
    m_highlighter = nullptr;
    m_loadAll->hide();
    m_info->show();
    QStringList notes = cutNotes();

    if (m_kind == BodyKind::Image || (m_kind == BodyKind::Svg && QImageReader::supportedImageFormats().contains("svg"))) {
        const QByteArray format = m_kind == BodyKind::Svg ? QByteArray("svg") : imageFormatOf(m_body);
        if (showImage(format)) {
            if (!notes.isEmpty())
                m_info->setText(m_info->text() + QStringLiteral(" — ") + notes.join(QLatin1String("; ")));
            m_text->clear();
            return;
        }
        m_imageProblem = m_info->text();
        m_kind = BodyKind::Binary;
    }
    showFormatted(formatText(m_body, m_kind, all));
}

void BodyView::showFormatted(const Formatted& f)
{
    QStringList notes = f.notes;
    notes += cutNotes();
    if (!m_imageProblem.isEmpty())
        notes << m_imageProblem;
    m_text->setPlainText(f.text);
    if (f.text.size() <= kHighlightLimit) {
        m_highlighter = attachHighlighter(m_text->document(), m_kind, m_text->palette());
        if (m_highlighter) // now, not on the next event loop turn: what is shown is coloured
            m_highlighter->rehighlight();
    } else {
        notes << tr("too large to colour");
    }
    m_info->setText(notes.join(QStringLiteral(" — ")));
    m_loadAll->setVisible(f.cut);
}

void BodyView::loadAll()
{
    if (!canLoadAll() || isLoading())
        return;
    stopLoading();
    m_all = true;
    const quint64 generation = m_generation;
    m_loadAll->setEnabled(false);
    m_info->setText(tr("Formatting the whole body (%1)…").arg(bytes(m_body.size())));
    auto* watcher = new QFutureWatcher<Formatted>(this);
    connect(watcher, &QFutureWatcher<Formatted>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return; // another body since
        Formatted f = watcher->result();
        if (f.text.size() <= kHighlightLimit) {
            delete m_highlighter;
            m_highlighter = nullptr;
            showFormatted(f);
            m_loadAll->setEnabled(true);
            return;
        }
        // Millions of lines: into the editor a slice per event loop turn, so the window stays responsive.
        delete m_highlighter;
        m_highlighter = nullptr;
        m_text->clear();
        m_pending = std::move(f.text);
        m_pendingAt = 0;
        m_pendingNotes = f.notes + cutNotes();
        if (!m_imageProblem.isEmpty())
            m_pendingNotes << m_imageProblem;
        m_pendingNotes << tr("too large to colour");
        m_chunkTimer->start();
    });
    watcher->setFuture(QtConcurrent::run(formatText, m_body, m_kind, true));
}

void BodyView::insertNextChunk()
{
    constexpr qsizetype kChunkChars = 256 << 10;
    qsizetype end = std::min(m_pending.size(), m_pendingAt + kChunkChars);
    if (end < m_pending.size()) {
        const qsizetype newline = m_pending.lastIndexOf(QLatin1Char('\n'), end - 1);
        if (newline > m_pendingAt)
            end = newline + 1;
    }
    QTextCursor cursor(m_text->document());
    cursor.movePosition(QTextCursor::End);
    cursor.insertText(QStringView(m_pending).mid(m_pendingAt, end - m_pendingAt).toString());
    m_pendingAt = end;
    if (m_pendingAt < m_pending.size()) {
        m_info->setText(tr("Loading the whole body… %1%").arg(m_pendingAt * 100 / m_pending.size()));
        return;
    }
    m_chunkTimer->stop();
    m_pending.clear();
    m_pendingAt = 0;
    m_text->moveCursor(QTextCursor::Start);
    m_info->setText(m_pendingNotes.join(QStringLiteral(" — ")));
    m_loadAll->setEnabled(true);
    m_loadAll->hide();
}

QString BodyView::text() const
{
    return m_stack->currentIndex() == 0 ? m_text->toPlainText() : QString();
}

QString BodyView::info() const { return m_info->text(); }
bool BodyView::showsImage() const { return m_stack->currentIndex() == 1; }
bool BodyView::canLoadAll() const { return !m_loadAll->isHidden(); }
bool BodyView::isLoading() const { return m_chunkTimer->isActive() || !m_loadAll->isEnabled(); }

void BodyView::changeEvent(QEvent* event)
{
    // Dark or light follows the palette: colour again when it changes.
    if (event->type() == QEvent::PaletteChange && m_highlighter)
        render(m_all);
    QWidget::changeEvent(event);
}

} // namespace httptap
