// SPDX-License-Identifier: GPL-2.0-or-later
#include "captureio.h"

#include "export/harreader.h"
#include "largebodies.h"
#include "models/textescape.h"

#include <QFile>
#include <QFileInfo>
#include <QObject>

namespace httptap {

RawCaptureParser::RawCaptureParser(FlowAssembler::FlowSink sink, FlowAssembler::ProgressSink progress)
    : m_symbolizer(std::make_shared<Symbolizer>())
    , m_assembler([symbols = m_symbolizer, sink = std::move(sink)](Flow&& flow) {
        symbols->symbolize(flow);
        sink(std::move(flow));
    })
{
    m_symbolizer->setTryProcRoot(false);
    QString warning;
    m_assembler.setLargeBodyPolicy(largeBodyPolicy(&warning));
    if (!warning.isEmpty())
        m_notices << QObject::tr("large bodies are dropped: %1").arg(warning);
    if (progress)
        m_assembler.setProgressSink([symbols = m_symbolizer, progress = std::move(progress)](const Flow& flow) {
            if (!Symbolizer::needsNames(flow))
                return progress(flow);
            Flow named = flow;
            symbols->symbolize(named);
            progress(named);
        });
}

bool RawCaptureParser::feed(const QByteArray& bytes)
{
    m_reader.feed(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size()));
    while (auto record = m_reader.next()) {
        if (const auto* start = std::get_if<record::StreamStart>(&*record))
            m_clock = CaptureClock::fromStreamStart(*start);
        else if (const auto* notice = std::get_if<record::Notice>(&*record)) {
            m_notices << escapeControl(QString::fromStdString(notice->text));
            if (notice->level == record::NoticeLevel::Error)
                m_errorNotice = m_notices.last();
        }
        else if (std::holds_alternative<record::StreamEnd>(*record))
            m_ended = true;
        m_assembler.add(*record);
    }
    return m_reader.state() != record::RecordReader::State::Error;
}

void RawCaptureParser::finish()
{
    m_assembler.finish();
}

QString RawCaptureParser::errorString() const
{
    if (m_reader.state() == record::RecordReader::State::Error)
        return QObject::tr("corrupt capture at byte %1: %2")
            .arg(m_reader.consumed())
            .arg(QString::fromStdString(m_reader.errorString()));
    if (m_reader.pending() > 0)
        return QObject::tr("the capture ends in the middle of a record");
    return {};
}

QStringList RawCaptureParser::takeNotices()
{
    return std::exchange(m_notices, {});
}

bool isRawCapture(const QByteArray& bytes)
{
    return bytes.startsWith(QByteArray("HTTPTAP\0", 8));
}

std::optional<QList<Flow>> readCaptureFile(const QString& path, QString* error)
{
    const QString name = QFileInfo(path).fileName();
    auto failed = [&](const QString& why) -> std::optional<QList<Flow>> {
        if (error)
            *error = QObject::tr("Cannot open %1: %2").arg(name, why);
        return std::nullopt;
    };
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return failed(file.errorString());
    const QByteArray bytes = file.read(kHarMaxBytes + 1);
    if (!isRawCapture(bytes)) {
        QString why;
        auto flows = readHar(bytes, &why);
        return flows ? flows : failed(why);
    }
    QList<Flow> flows;
    RawCaptureParser parser([&flows](Flow&& flow) { flows.append(std::move(flow)); });
    const bool ok = parser.feed(bytes);
    parser.finish();
    if (!ok)
        return failed(parser.errorString());
    return flows;
}

} // namespace httptap
