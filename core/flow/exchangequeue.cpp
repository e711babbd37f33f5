// SPDX-License-Identifier: GPL-2.0-or-later
#include "exchangequeue.h"

#include "bodydecoder.h"

#include <algorithm>

namespace httptap {

namespace {

QByteArray versionString(int major, int minor)
{
    // Literals share static data: no allocation for the versions every flow has.
    if (major == 1 && minor == 1)
        return QByteArrayLiteral("HTTP/1.1");
    if (major == 1 && minor == 0)
        return QByteArrayLiteral("HTTP/1.0");
    return "HTTP/" + QByteArray::number(major) + '.' + QByteArray::number(minor);
}

// The fields a flow derives from its messages when it leaves (or is shown while open).
void settle(Flow& f)
{
    const bool haveRequest = !f.request.method.isEmpty();
    const HttpMessage& versioned = haveRequest || !f.hasResponse ? f.request : f.response;
    f.httpVersion = versionString(versioned.versionMajor, versioned.versionMinor);
    if (haveRequest)
        f.startNs = f.request.firstByteNs;
    f.endNs = std::max({ f.startNs, f.request.lastByteNs, f.hasResponse ? f.response.lastByteNs : 0 });
    for (const HttpMessage& m : std::as_const(f.informational()))
        f.endNs = std::max(f.endNs, m.lastByteNs);
    if (!f.webSocketMessages().isEmpty())
        f.endNs = std::max(f.endNs, f.webSocketMessages().last().timeNs);
    if (!f.serverSentEvents().isEmpty())
        f.endNs = std::max(f.endNs, f.serverSentEvents().last().timeNs);
    f.truncated = f.truncated || f.request.bodyTruncated || (f.hasResponse && f.response.bodyTruncated);
    f.incomplete = f.incomplete || !f.request.complete || !f.hasResponse || !f.response.complete;
}

} // namespace

void Exchange::addNote(const QString& text, bool truncates)
{
    flow.notes.append(text);
    flow.truncated = flow.truncated || truncates;
}

Exchange& ExchangeQueue::emplaceBack()
{
    std::unique_ptr<Exchange> ex;
    if (m_spare.empty()) {
        ex = std::make_unique<Exchange>();
    } else {
        ex = std::move(m_spare.back());
        m_spare.pop_back();
    }
    return *m_exchanges.emplace_back(std::move(ex));
}

void ExchangeQueue::recycle(std::unique_ptr<Exchange> exchange)
{
    if (m_spare.size() >= kMaxSpare)
        return;
    // Made afresh in its block: cheaper than assigning a new one (a temporary and a swap per member).
    std::destroy_at(exchange.get());
    std::construct_at(exchange.get());
    m_spare.push_back(std::move(exchange));
}

Exchange& ExchangeQueue::append()
{
    Exchange& ex = emplaceBack();
    ex.flow.id = ++m_ctx.lastFlowId;
    return ex;
}

Exchange* ExchangeQueue::firstUnanswered()
{
    for (const std::unique_ptr<Exchange>& e : m_exchanges) {
        if (!e->responseDone)
            return e.get();
    }
    return nullptr;
}

bool ExchangeQueue::allAnswered() const
{
    return std::all_of(
        m_exchanges.begin(), m_exchanges.end(), [](const std::unique_ptr<Exchange>& e) { return e->responseDone; });
}

Exchange& ExchangeQueue::appendTaken(Flow&& flow)
{
    Exchange& ex = emplaceBack();
    ex.flow = std::move(flow);
    return ex;
}

std::optional<Flow> ExchangeQueue::takeBack(const Exchange& exchange)
{
    if (m_exchanges.empty() || m_exchanges.back().get() != &exchange)
        return std::nullopt;
    Flow f = std::move(m_exchanges.back()->flow);
    m_exchanges.pop_back();
    return f;
}

void ExchangeQueue::flushReady()
{
    while (!m_exchanges.empty() && m_exchanges.front()->requestDone && m_exchanges.front()->responseDone
        && !m_exchanges.front()->held) {
        std::unique_ptr<Exchange> done = std::move(m_exchanges.front());
        m_exchanges.pop_front();
        emitFlow(*done);
        recycle(std::move(done));
    }
}

void ExchangeQueue::flushAll(const QString& noResponseNote)
{
    for (const std::unique_ptr<Exchange>& e : m_exchanges) {
        Exchange& ex = *e;
        if (!ex.responseDone) {
            ex.responseDone = true;
            ex.flow.incomplete = true;
            ex.addNote(noResponseNote, false);
        }
        ex.requestDone = true;
        ex.held = false;
    }
    flushReady();
}

void ExchangeQueue::fillUnknownEndpoints(const FlowEndpoint& local, const FlowEndpoint& remote)
{
    for (const std::unique_ptr<Exchange>& e : m_exchanges) {
        Exchange& ex = *e;
        if (ex.flow.local.family == 0) {
            ex.flow.local = local;
            ex.flow.remote = remote;
        }
    }
}

void ExchangeQueue::emitFlow(Exchange& ex)
{
    Flow& f = ex.flow;
    settle(f);
    ++m_ctx.stats.flows;
    decodeBodies(f, m_ctx.maxDecodedBytes, &m_bodyFields);
    if (m_ctx.sink)
        m_ctx.sink(std::move(f));
}

bool ExchangeQueue::reportProgress(uint64_t nowNs, bool force, PartialMessage request, PartialMessage response)
{
    bool later = false;
    for (const std::unique_ptr<Exchange>& e : m_exchanges) {
        Exchange& ex = *e;
        const HttpMessage* req = ex.requestDone ? &ex.flow.request
            : request.exchange == &ex           ? request.message
                                                : nullptr;
        const HttpMessage* resp = ex.responseDone ? (ex.flow.hasResponse ? &ex.flow.response : nullptr)
            : response.exchange == &ex            ? response.message
                                                  : nullptr;
        ProgressStage stage = ProgressStage::None;
        if (ex.responseDone && resp)
            stage = ProgressStage::ResponseDone;
        else if (resp)
            stage = ProgressStage::ResponseHead;
        else if (ex.requestDone)
            stage = ProgressStage::RequestDone;
        else if (req)
            stage = ProgressStage::RequestHead;
        const uint64_t signature = progressSignature(req, resp, ex.flow);
        const ProgressVerdict verdict
            = progressVerdict(ex.progress, stage, signature, nowNs, m_ctx.progressIntervalNs, force);
        if (verdict == ProgressVerdict::Later)
            later = true;
        if (verdict != ProgressVerdict::Report)
            continue;
        Flow snapshot = ex.flow;
        if (!ex.requestDone && req)
            snapshot.request = *req;
        if (!ex.responseDone && resp) {
            snapshot.response = *resp;
            snapshot.hasResponse = true;
        }
        settle(snapshot);
        prepareSnapshot(snapshot, m_ctx.maxDecodedBytes);
        ex.progress = ProgressMark { stage, signature, nowNs };
        m_ctx.progressSink(snapshot);
    }
    return later;
}

} // namespace httptap
