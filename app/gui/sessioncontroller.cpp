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
        Q_EMIT stateChanged(state);
    });
    connect(m_host.get(), &SessionHost::finished, this, &SessionController::finished);
    m_state = SessionState::Connecting;
    Q_EMIT stateChanged(m_state);
    m_clock.start();
    m_host->start(settings);
}

void SessionController::endHost()
{
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

} // namespace wsi::gui
