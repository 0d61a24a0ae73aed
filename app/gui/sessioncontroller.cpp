// SPDX-License-Identifier: MIT
#include "sessioncontroller.h"

using namespace Qt::StringLiterals;

namespace wsi::gui {

SessionController::SessionController(TraceStore *store, QObject *parent)
    : QObject(parent), m_store(store)
{
}

SessionController::~SessionController() = default;

void SessionController::connectTo(const SessionSettings &settings)
{
    endHost();
    m_settings = settings;
    m_tls = settings.url.scheme() == u"wss"_s;
    Trace::Limits limits;
    limits.maxStoredOctets = settings.maxTraceOctets; // the settings' "Trace storage"
    Trace trace(limits);
    trace.setStartedAt(QDateTime::currentDateTimeUtc());
    trace.setUrl(settings.url.toString());
    m_store->reset(std::move(trace));
    m_host = std::make_unique<SessionHost>();
    // The session's signals reach the host through its thread's queue: an ended host (deleted)
    // delivers nothing more, so nothing of an old connection lands in the next trace.
    connect(m_host.get(), &SessionHost::traceBatch, m_store, &TraceStore::enqueue);
    connect(m_host.get(), &SessionHost::stateChanged, this, [this](SessionState state) {
        m_state = state;
        if (state == SessionState::Closed)
            endSequence(); // its remaining steps are not run
        Q_EMIT stateChanged(state);
    });
    connect(m_host.get(), &SessionHost::finished, this, &SessionController::finished);
    connect(m_host.get(), &SessionHost::stepStarted, this, [this](int run, int index) {
        if (!m_sequenceRunning || run != m_lastRun)
            return; // a composer action, or a sequence already stopped
        m_sequenceBegun = true;
        Q_EMIT sequenceStepStarted(index);
    });
    // The session's steps run in order: once one of the sequence's steps has started, the next
    // "no step pending" means the whole sequence is done. (One from before it, of a composer
    // action, may still be on its way when the sequence starts.)
    connect(m_host.get(), &SessionHost::stepsFinished, this, [this] {
        if (m_sequenceRunning && m_sequenceBegun)
            endSequence();
    });
    m_state = SessionState::Connecting;
    Q_EMIT stateChanged(m_state);
    m_clock.start();
    m_host->start(settings);
}

void SessionController::endHost()
{
    endSequence(); // its connection goes
    if (!m_host)
        return;
    m_host->disconnect(this);
    m_host->invoke([](ClientSession &s) { s.dropTcp(); });
    m_host.reset(); // joins the session thread
}

void SessionController::abandon()
{
    if (!m_host)
        return;
    endHost();
    if (m_state != SessionState::Idle && m_state != SessionState::Closed) {
        m_state = SessionState::Closed;
        Q_EMIT stateChanged(m_state);
    }
}

void SessionController::disconnectFromServer()
{
    if (!m_host)
        return;
    m_host->invoke([](ClientSession &s) {
        if (s.state() == SessionState::Open)
            s.close(1000, {});
        else
            s.dropTcp();
    });
}

void SessionController::run(const StepList &steps)
{
    if (m_host && !steps.isEmpty())
        m_host->runSteps(steps);
}

bool SessionController::runSequence(const StepList &steps)
{
    const bool live = m_state == SessionState::Connecting || m_state == SessionState::Open ||
                      m_state == SessionState::Closing;
    if (!m_host || !live || steps.isEmpty() || m_sequenceRunning)
        return false;
    m_sequenceRunning = true;
    m_sequenceBegun = false;
    m_host->runSteps(steps, ++m_lastRun);
    Q_EMIT sequenceStarted();
    return true;
}

void SessionController::stopSteps()
{
    if (m_host)
        m_host->stopSteps();
    endSequence();
}

void SessionController::endSequence()
{
    if (!m_sequenceRunning)
        return;
    m_sequenceRunning = false;
    m_sequenceBegun = false;
    Q_EMIT sequenceFinished();
}

} // namespace wsi::gui
