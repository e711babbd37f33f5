// SPDX-License-Identifier: GPL-2.0-or-later
#include "flowoutput.h"

#include "export/curlcommand.h"

namespace httptap::cli {

FlowOutput::FlowOutput(std::string format, FILE* out, bool unredacted)
    : m_format(std::move(format))
    , m_out(out)
{
    m_har.redact = !unredacted;
}

void FlowOutput::addRedactions(const std::vector<std::string>& headers, const std::vector<std::string>& jsonFields)
{
    for (const std::string& h : headers)
        m_har.redactHeaders.append(QString::fromStdString(h));
    for (const std::string& f : jsonFields)
        m_har.redactJsonFields.append(QString::fromStdString(f));
}

void FlowOutput::setClock(const CaptureClock& clock)
{
    m_clock = clock;
    m_jsonl.setClock(clock);
}

bool FlowOutput::write(const QByteArray& bytes)
{
    return std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), m_out)
        == static_cast<size_t>(bytes.size())
        && std::fflush(m_out) == 0;
}

bool FlowOutput::add(const Flow& flow)
{
    if (m_format == "har") {
        m_flows.append(flow);
        return true;
    }
    if (m_format == "curl") {
        QByteArray text = m_firstCommand ? QByteArray() : QByteArray("\n");
        m_firstCommand = false;
        text += curlCommand(flow).toUtf8() + '\n';
        return write(text);
    }
    if (m_messages) {
        const QByteArray lines = m_messageLines.take(flow, m_jsonl, true);
        return lines.isEmpty() || write(lines);
    }
    return write(m_jsonl.line(flow));
}

bool FlowOutput::progress(const Flow& flow)
{
    if (!m_messages)
        return true;
    const QByteArray lines = m_messageLines.take(flow, m_jsonl, false);
    return lines.isEmpty() || write(lines);
}

bool FlowOutput::finish()
{
    if (m_format != "har")
        return true;
    return write(harBytes(m_flows, m_clock, m_har));
}

} // namespace httptap::cli
