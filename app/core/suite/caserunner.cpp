// SPDX-License-Identifier: MIT
#include "suite/caserunner.h"

#include "suite/corpora.h"
#include "trace/report.h"

#include <QCryptographicHash>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {

// What one case records while it runs. Written only in the case's session thread until its
// `finished` signal, read here afterwards.
struct CaseState
{
    CaseObservation seen;
    int sent = 0; // RoundTrips, DeflateEchoes: messages sent so far
    // DeflateEchoes: the corpus, where the next message starts in it, the SHA-1 of the message
    // in flight, and whether the case has decided (later messages are ignored).
    QByteArray corpus;
    qint64 ringPosition = 0;
    QByteArray expectedSha1;
    bool decided = false;
};

// docs/cases.md §2.4: after each message or pong, the fuzzer closes when the received list equals
// every expected list (vacuously true for an empty map), the case expects to close and does not
// suppress it.
void finishWhenDone(ClientSession &session, const CaseDefinition &def,
                    const PeerEventList &received)
{
    for (const ExpectedEvents &e : def.expected) {
        if (e.events != received)
            return;
    }
    if (def.expectedClose.closedByMe && !def.suppressClose)
        session.close(def.expectedClose.closeCodes.value(0, 1000), {});
}

QByteArray expand(const QByteArray &pattern, qint64 length)
{
    QByteArray out;
    if (pattern.isEmpty() || length <= 0)
        return out;
    out.reserve(length);
    while (out.size() < length)
        out.append(pattern.left(length - out.size()));
    return out;
}

FrameSpec messageFrame(const CaseDefinition &def)
{
    FrameSpec spec;
    spec.opcode = def.messageBinary ? 2 : 1;
    spec.payload = def.messagePattern;
    spec.repeatLength = def.messageLength;
    spec.chopSize = def.chopSize;
    return spec;
}

// The next `length` octets of the corpus, read as a ring (the reference's sendOne).
QByteArray ringSlice(const QByteArray &corpus, qint64 &position, qint64 length)
{
    QByteArray out;
    if (corpus.isEmpty() || length <= 0)
        return out;
    out.reserve(length);
    while (out.size() < length) {
        const qint64 take = std::min<qint64>(length - out.size(), corpus.size() - position);
        out.append(corpus.constData() + position, take);
        position = (position + take) % corpus.size();
    }
    return out;
}

void sendCorpusSlice(ClientSession &session, const CaseDefinition &def, CaseState &state)
{
    const QByteArray message = ringSlice(state.corpus, state.ringPosition, def.messageLength);
    state.expectedSha1 = QCryptographicHash::hash(message, QCryptographicHash::Sha1);
    // fragmentSize is the reference's autoFragmentSize: the session fragments the compressed
    // message (one frame when it fits).
    session.sendMessage(message, def.messageBinary, def.fragmentSize);
    ++state.sent;
}

// 12.x, 13.x: onOpen. The wire log goes off with a marker; without permessage-deflate the case
// is UNIMPLEMENTED and closes at once (its wire log stays off, as in the reference).
void openDeflateCase(ClientSession &session, const CaseDefinition &def, CaseState &state)
{
    session.setWireLog(false, true);
    if (!session.deflateAgreement().agreed) {
        state.seen.customBehavior = Verdict::Unimplemented;
        // The reference leaves the case's initial text in place.
        state.seen.customResult = u"Actual events differ from any expected."_s;
        state.decided = true;
        session.close(1000, {});
        return;
    }
    session.closeAfter(def.waitSeconds);
    state.corpus = corpusData(def.corpus);
    sendCorpusSlice(session, def, state);
}

void onDeflateEcho(ClientSession &session, const CaseDefinition &def, CaseState &state,
                   const PeerEvent &event)
{
    if (state.decided)
        return;
    const auto pyBool = [](bool b) { return b ? u"True"_s : u"False"_s; };
    const QByteArray sha1 = QCryptographicHash::hash(event.payload, QCryptographicHash::Sha1);
    QString failure;
    if (event.binary != def.messageBinary) {
        failure =
            u"Echo'ed message type differs from what I sent (got binary %1, expected binary %2)."_s
                .arg(pyBool(event.binary), pyBool(def.messageBinary));
    } else if (event.payload.size() != def.messageLength) {
        failure =
            u"Echo'ed message length differs from what I sent (got length %1, expected length %2)."_s
                .arg(event.payload.size())
                .arg(def.messageLength);
    } else if (sha1 != state.expectedSha1) {
        failure =
            u"Echo'ed message contents differs from what I sent (got SHA1 %1, expected SHA1 %2)."_s
                .arg(QString::fromLatin1(sha1.toHex()),
                     QString::fromLatin1(state.expectedSha1.toHex()));
    }
    if (failure.isEmpty() && state.sent < def.roundTrips) {
        sendCorpusSlice(session, def, state);
        return;
    }
    state.decided = true;
    state.seen.customBehavior = failure.isEmpty() ? Verdict::Ok : Verdict::Failed;
    state.seen.customResult =
        failure.isEmpty() ? u"Ok, received all echo'ed messages in time."_s : failure;
    session.setWireLog(true, true);
    session.close(1000, {});
}

// The onOpen of the 9.x, 12.x and 13.x cases (their steps are empty: the case sends itself).
void openTimedCase(ClientSession &session, const CaseDefinition &def, CaseState &state)
{
    if (def.logic == CaseLogic::DeflateEchoes) {
        openDeflateCase(session, def, state);
        return;
    }
    if (def.logic == CaseLogic::TimedEcho) {
        session.setWireLog(false, false);
        if (def.fragmentSize > 0) {
            session.sendMessage(expand(def.messagePattern, def.messageLength), def.messageBinary,
                                def.fragmentSize);
        } else {
            session.sendFrame(messageFrame(def));
        }
        session.closeAfter(def.waitSeconds);
    } else if (def.logic == CaseLogic::RoundTrips) {
        session.setWireLog(false, true);
        session.closeAfter(def.waitSeconds);
        session.sendFrame(messageFrame(def));
        state.sent = 1;
    }
}

void onTimedEvent(ClientSession &session, const CaseDefinition &def, CaseState &state,
                  const PeerEvent &event)
{
    if (def.logic == CaseLogic::DeflateEchoes) {
        onDeflateEcho(session, def, state, event);
        return;
    }
    const QString kind = def.messageBinary ? u"binary"_s : u"text"_s;
    if (def.logic == CaseLogic::TimedEcho) {
        if (event.binary != def.messageBinary) {
            // The reference's 9.4.x text has a typo ("but got binary" for a text echo).
            const bool typo = def.id.startsWith(u"9.4."_s);
            state.seen.customResult = u"Expected %1 message with payload, but got %2."_s.arg(
                kind, typo ? u"binary"_s : (event.binary ? u"binary"_s : u"text"_s));
        } else if (event.payload.size() != def.messageLength) {
            state.seen.customResult =
                u"Expected %1 message with payload of length %2, but got %3."_s.arg(kind)
                    .arg(def.messageLength)
                    .arg(event.payload.size());
        } else {
            state.seen.customBehavior = Verdict::Ok;
            state.seen.customResult =
                u"Received %1 message of length %2."_s.arg(kind).arg(event.payload.size());
        }
        session.setWireLog(true, false);
        session.close(1000, {});
        return;
    }
    // RoundTrips (9.7, 9.8)
    if (event.binary != def.messageBinary || event.payload.size() != def.messageLength) {
        state.seen.customBehavior = Verdict::Failed;
        state.seen.customResult =
            u"Echo'ed message type or length differs from what I sent (got binary = %1, payload length = %2)."_s
                .arg(event.binary ? u"True"_s : u"False"_s)
                .arg(event.payload.size());
        session.setWireLog(true, true);
        session.close(1000, {});
    } else if (state.sent < def.roundTrips) {
        session.sendFrame(messageFrame(def));
        ++state.sent;
    } else {
        state.seen.customBehavior = Verdict::Ok;
        state.seen.customResult = u"Ok, received all echo'ed messages in time."_s;
        session.setWireLog(true, true);
        session.close(1000, {});
    }
}

} // namespace

struct CaseRunner::Running
{
    int position = 0;
    std::unique_ptr<SessionHost> host;
    std::shared_ptr<Trace> trace;
    std::shared_ptr<CaseState> state;
    QTimer hardLimit;
};

CaseRunner::CaseRunner(QObject *parent) : QObject(parent) {}

CaseRunner::~CaseRunner()
{
    // Hosts stop their threads in their destructors.
    m_active.clear();
}

int CaseRunner::hardLimitMs(const CaseDefinition &def, const SessionSettings &settings)
{
    double seconds = def.waitSeconds;
    double timers = 0;
    for (const Step &step : def.steps) {
        if (step.kind == Step::Kind::Delay)
            seconds += step.seconds;
        else if (step.kind == Step::Kind::CloseAfter || step.kind == Step::Kind::FailAfter)
            timers = std::max(timers, step.seconds);
    }
    seconds += timers;
    const qint64 ms = qint64(seconds * 1000) + settings.openHandshakeTimeoutMs +
                      settings.closeHandshakeTimeoutMs + settings.serverDropTimeoutMs + 5000;
    return int(std::min<qint64>(ms, std::numeric_limits<int>::max()));
}

void CaseRunner::start(const QList<const CaseDefinition *> &cases, const Options &options)
{
    cancel();
    m_active.clear();
    m_options = options;
    m_options.jobs = std::max(1, options.jobs);
    m_results.clear();
    m_results.reserve(cases.size());
    for (const CaseDefinition *def : cases) {
        CaseResult r;
        r.definition = def;
        r.index = caseIndex(def->id);
        m_results.append(r);
    }
    m_next = 0;
    m_done = 0;
    m_agent = options.agent;
    m_stopping = false;
    m_running = true;
    m_clock.start();
    if (m_results.isEmpty()) {
        m_running = false;
        QTimer::singleShot(0, this, &CaseRunner::finished);
        return;
    }
    launchMore();
}

void CaseRunner::cancel()
{
    if (!m_running)
        return;
    skipRemaining(u"cancelled"_s);
    for (const auto &run : m_active)
        run->host->invoke([](ClientSession &s) { s.dropTcp(); });
}

qint64 CaseRunner::remainingMs() const
{
    if (m_done == 0)
        return -1;
    const qint64 perCase = m_clock.elapsed() / m_done;
    return perCase * (total() - m_done);
}

void CaseRunner::skipRemaining(const QString &why)
{
    m_stopping = true;
    for (int i = m_next; i < m_results.size(); ++i) {
        m_results[i].skipped = why;
        m_results[i].verdict.behavior = Verdict::Failed;
        m_results[i].verdict.result = why;
        ++m_done;
        Q_EMIT caseFinished(i);
    }
    m_next = int(m_results.size());
}

void CaseRunner::launchMore()
{
    while (!m_stopping && m_next < m_results.size() && int(m_active.size()) < m_options.jobs)
        launch(m_next++);
    if (m_active.empty() && m_running && m_done >= m_results.size()) {
        m_running = false;
        Q_EMIT finished();
    }
}

void CaseRunner::launch(int position)
{
    const CaseDefinition *def = m_results[position].definition;
    auto run = std::make_unique<Running>();
    run->position = position;
    Trace::Limits limits;
    limits.maxStoredOctets = m_options.maxTraceOctets;
    run->trace = std::make_shared<Trace>(limits);
    run->trace->setStartedAt(QDateTime::currentDateTimeUtc());
    run->trace->setUrl(m_options.settings.url.toString());
    run->state = std::make_shared<CaseState>();
    run->host = std::make_unique<SessionHost>();
    m_results[position].started = run->trace->startedAt();

    Running *raw = run.get();
    if (Observer *observer = m_options.observer)
        observer->caseBegun(position, *def, *run->trace);
    connect(run->host.get(), &SessionHost::traceBatch, this,
            [this, raw](const TraceBatchPtr &batch) {
                // The observer sees the batch before the trace takes (moves) it.
                if (m_options.observer)
                    m_options.observer->caseBatch(raw->position, *batch);
                raw->trace->append(std::move(*batch));
            });
    connect(run->host.get(), &SessionHost::finished, this, [this, raw] { complete(raw); });

    const std::shared_ptr<CaseState> state = run->state;
    run->host->invoke([def, state](ClientSession &session) {
        session.setOpenHandler([def, state](ClientSession &s) { openTimedCase(s, *def, *state); });
        session.setEventHandler([def, state](ClientSession &s, const PeerEvent &event) {
            if (s.deflateAgreement().agreed)
                state->seen.deflate = s.deflateCounts();
            if (def->logic != CaseLogic::Events && event.kind == PeerEvent::Kind::Message) {
                onTimedEvent(s, *def, *state, event);
                return;
            }
            state->seen.received.append(event);
            if (event.kind != PeerEvent::Kind::Timeout)
                finishWhenDone(s, *def, state->seen.received);
        });
    });

    SessionSettings settings = m_options.settings;
    // 12.x, 13.x: the case's own permessage-deflate offers replace the user's extensions.
    if (!def->extensionOffers.isEmpty())
        settings.handshake.extensions = def->extensionOffers;
    settings.autoPong = true;
    settings.autoCloseReply = true;
    settings.failOnViolation = true;
    run->hardLimit.setSingleShot(true);
    connect(&run->hardLimit, &QTimer::timeout, this,
            [raw] { raw->host->invoke([](ClientSession &s) { s.dropTcp(); }); });
    run->hardLimit.start(hardLimitMs(*def, settings));
    run->host->start(settings, def->steps);
    m_active.push_back(std::move(run));
    Q_EMIT caseStarted(position, def->id);
}

void CaseRunner::complete(Running *run)
{
    const auto it = std::find_if(m_active.begin(), m_active.end(),
                                 [run](const auto &r) { return r.get() == run; });
    if (it == m_active.end())
        return;
    std::unique_ptr<Running> owned = std::move(*it);
    m_active.erase(it);
    owned->hardLimit.stop();

    CaseResult &result = m_results[owned->position];
    const Trace &trace = *owned->trace;
    result.trace = owned->trace;
    result.closing = analyzeClosing(trace);
    result.durationMs = result.closing.durationMs();
    result.serverHeader = serverHeaderOf(trace);
    if (m_agent.isEmpty() && !result.serverHeader.isEmpty())
        m_agent = result.serverHeader;
    result.agent = m_agent.isEmpty() ? m_options.settings.url.host() : m_agent;
    result.observation = owned->state->seen;
    result.observation.txFrameCounts = trace.statistics().txFrames;
    result.verdict = evaluateCase(*result.definition, result.observation, result.closing);
    const bool connected = everConnected(trace);
    if (!connected) {
        result.connectError = connectErrorOf(trace);
        result.verdict.result = result.connectError;
    }
    if (m_options.observer)
        m_options.observer->caseEnded(owned->position, result);
    ++m_done;
    // This runs inside the host's own signal: it is deleted (and its thread joined) later.
    owned->host->disconnect(this);
    owned->host.release()->deleteLater();
    Q_EMIT caseFinished(owned->position);
    if (!m_options.keepTraces)
        result.trace.reset();

    // A TCP connect failure skips all remaining cases of that server (docs/cases.md §2.1).
    if (!connected && !m_stopping)
        skipRemaining(u"skipped: no connection to the server ("_s + result.connectError + u")"_s);
    launchMore();
}

} // namespace wsi
