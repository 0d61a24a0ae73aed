// SPDX-License-Identifier: MIT
#pragma once

#include "session.h"
#include "tracestore.h"

#include <QElapsedTimer>
#include <QObject>

#include <memory>

namespace wsi::gui {

// The window's side of a connection: starts a SessionHost (the session's own thread) per
// connection, feeds its trace batches into the TraceStore, and forwards the user's actions.
class SessionController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionController)

public:
    explicit SessionController(TraceStore *store, QObject *parent = nullptr);
    ~SessionController() override;

    // Drops any current connection (its trace is replaced) and connects anew.
    void connectTo(const SessionSettings &settings);
    // Close 1000 while OPEN; a TCP drop while CONNECTING or CLOSING.
    void disconnectFromServer();
    // Ends the connection at once (TCP dropped) and stops recording it: nothing it still sends
    // reaches the store, which may show something else from now on (a case's trace).
    void abandon();
    // Runs steps now (an action from the composer) or as a sequence.
    void run(const StepList &steps);

    [[nodiscard]] SessionState state() const { return m_state; }
    [[nodiscard]] bool isConnected() const
    {
        return m_state == SessionState::Open || m_state == SessionState::Closing;
    }
    [[nodiscard]] bool isTls() const { return m_tls; }
    [[nodiscard]] const SessionSettings &settings() const { return m_settings; }
    // The session's clock as the window sees it (trace times count from the session's start,
    // which follows connectTo() at once): how long the running timers have run.
    [[nodiscard]] qint64 sessionClockNs() const
    {
        return m_clock.isValid() ? m_clock.nsecsElapsed() : -1;
    }

Q_SIGNALS:
    void stateChanged(wsi::SessionState state);
    void finished();

private:
    void endHost();

    TraceStore *m_store;
    std::unique_ptr<SessionHost> m_host;
    SessionSettings m_settings;
    SessionState m_state = SessionState::Idle;
    bool m_tls = false;
    QElapsedTimer m_clock;
};

} // namespace wsi::gui
