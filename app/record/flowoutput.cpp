// SPDX-License-Identifier: GPL-2.0-or-later
#include "flowoutput.h"

#include "export/curlcommand.h"

#include <QFile>
#include <QSysInfo>

#include <cerrno>
#include <unistd.h>

namespace httptap::cli {

FlowOutput::FlowOutput(std::string format, FILE* out, bool unredacted)
    : m_format(std::move(format))
    , m_out(out)
    , m_appview(QSysInfo::machineHostName())
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
    m_appview.setClock(clock);
}

bool FlowOutput::loadAppViewWatch(const std::string& path, std::string* error)
{
    QString why;
    const auto watch = AppViewWatch::load(QString::fromStdString(path), &why);
    if (!watch) {
        *error = "--watch: " + why.toStdString();
        return false;
    }
    m_appview.setWatch(*watch);
    return true;
}

void FlowOutput::noteProcess(uint32_t pid, bool execed)
{
    if (m_format != "appview" || (!execed && m_commandLines.count(pid)))
        return;
    QFile file(QStringLiteral("/proc/%1/cmdline").arg(pid));
    QByteArray args;
    if (file.open(QIODevice::ReadOnly))
        args = file.read(4096); // arguments are NUL-terminated; long ones are cut, as ps cuts them
    while (args.endsWith('\0'))
        args.chop(1);
    args.replace('\0', ' ');
    // Gone already (or a kernel thread): what we knew stays, else the process name stands in.
    if (!args.isEmpty())
        m_commandLines[pid] = QString::fromUtf8(args);
}

bool FlowOutput::write(const QByteArray& bytes)
{
    m_pending.append(bytes);
    return m_pending.size() < kFlushBytes || flush();
}

bool FlowOutput::flush()
{
    if (m_pending.isEmpty())
        return true;
    // One write(2) for the batch: stdio would split it at its buffer size.
    bool ok = std::fflush(m_out) == 0;
    const int fd = fileno(m_out);
    for (qsizetype done = 0; ok && done < m_pending.size();) {
        const ssize_t n = ::write(fd, m_pending.constData() + done, size_t(m_pending.size() - done));
        if (n < 0 && errno != EINTR)
            ok = false;
        else if (n > 0)
            done += n;
    }
    m_pending.resize(0); // keeps the capacity for the next batch
    return ok;
}

bool FlowOutput::add(const Flow& flow)
{
    if (!Symbolizer::needsNames(flow))
        return addNamed(flow);
    Flow named = flow; // bodies and headers are shared, not copied
    m_symbolizer.symbolize(named);
    return addNamed(named);
}

bool FlowOutput::addNamed(const Flow& flow)
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
    if (m_format == "appview") {
        const auto cmd = m_commandLines.find(flow.pid);
        return write(m_appview.lines(flow, cmd == m_commandLines.end() ? flow.process : cmd->second));
    }
    if (m_messages) {
        const QByteArray lines = m_messageLines.take(flow, m_jsonl, true);
        return lines.isEmpty() || write(lines);
    }
    m_jsonl.appendLine(flow, m_pending);
    return m_pending.size() < kFlushBytes || flush();
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
    if (m_format == "har" && !write(harBytes(m_flows, m_clock, m_har)))
        return false;
    return flush();
}

} // namespace httptap::cli
