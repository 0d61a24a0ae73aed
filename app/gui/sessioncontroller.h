// SPDX-License-Identifier: MIT
#pragma once

#include "session/session.h"
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
    // Every connection is recorded into a capture file as it runs (docs/captures.md), written in
    // the session's thread: nothing is lost when the window closes.
    struct Recording
    {
        bool enabled = true;
        QString folder;                               // empty: the application's data folder
        qint64 maxOctets = 1024ll * 1024 * 1024;      // a recording stops at this size
        [[nodiscard]] QString resolvedFolder() const; // the folder used
    };

    explicit SessionController(TraceStore *store, QObject *parent = nullptr);
    ~SessionController() override;

    // Drops any current connection (its trace is replaced) and connects anew.
    void connectTo(const SessionSettings &settings);
    // Close 1000 while OPEN; a TCP drop while CONNECTING or CLOSING.
    void disconnectFromServer();
    // Ends the connection at once (TCP dropped) and stops recording it: nothing it still sends
    // reaches the store, which may show something else from now on (a case's trace).
    void abandon();
    // Runs steps now (an action from the composer). They queue behind a running sequence.
    void run(const StepList &steps);
    // Runs the sequence editor's steps: sequenceStarted(), sequenceStepStarted() as each step
    // begins, sequenceFinished() exactly once when the last one is done (a trailing delay: when
    // it is over), on stopSteps(), or when the connection ends first. Needs a connection that is
    // CONNECTING (the steps run once it is OPEN: "Connect and Run"), OPEN or CLOSING; one
    // sequence at a time (false when it did not start).
    bool runSequence(const StepList &steps);
    // Stops the running sequence (and any steps queued behind it): nothing more is sent.
    void stopSteps();
    [[nodiscard]] bool isSequenceRunning() const { return m_sequenceRunning; }

    [[nodiscard]] SessionState state() const { return m_state; }
    [[nodiscard]] bool isConnected() const
    {
        return m_state == SessionState::Open || m_state == SessionState::Closing;
    }
    [[nodiscard]] bool isTls() const { return m_tls; }
    void setRecording(const Recording &recording) { m_recording = recording; }
    [[nodiscard]] const Recording &recording() const { return m_recording; }
    // The capture the current connection is recorded into (empty when it is not).
    [[nodiscard]] QString recordingPath() const { return m_recordingPath; }
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
    void sequenceStarted();
    // `index`: the step's row in the list given to runSequence().
    void sequenceStepStarted(int index);
    void sequenceFinished();
    // The current connection's recording stopped (or could not start): why, in a sentence. The
    // connection keeps running.
    void recordingStopped(const QString &why);

private:
    void endHost();
    void endSequence();

    void startRecording(const Trace &trace);

    TraceStore *m_store;
    Recording m_recording;
    QString m_recordingPath;
    std::unique_ptr<SessionHost> m_host;
    SessionSettings m_settings;
    SessionState m_state = SessionState::Idle;
    bool m_tls = false;
    QElapsedTimer m_clock;
    int m_lastRun = 0; // the session's run tag of the latest sequence
    bool m_sequenceRunning = false;
    bool m_sequenceBegun = false; // its first step started (a stepsFinished() after it ends it)
};

} // namespace wsi::gui
