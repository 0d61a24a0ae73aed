// SPDX-License-Identifier: MIT
#include "sessioncontroller.h"

#include "capture/capturefile.h"
#include "format.h"
#include "suite/scenario.h"

#include <QDir>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QUrl>

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
    // A compressed message inflates in the window as far as the session lets it (its size
    // limit), no further.
    m_store->setMaxInflatedMessage(settings.maxFramePayload);
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
    startRecording(m_store->trace());
    m_state = SessionState::Connecting;
    Q_EMIT stateChanged(m_state);
    m_clock.start();
    m_host->start(settings);
}

QString SessionController::Recording::resolvedFolder() const
{
    if (!folder.isEmpty())
        return folder;
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/captures"_s;
}

void SessionController::startRecording(const Trace &trace)
{
    m_recordingPath.clear();
    if (!m_recording.enabled)
        return;
    const QString folder = m_recording.resolvedFolder();
    const auto refuse = [this](const QString &why) {
        // Said once the window has taken in the new connection's state.
        QMetaObject::invokeMethod(
            this, [this, why] { Q_EMIT recordingStopped(why); }, Qt::QueuedConnection);
    };
    if (!QDir().mkpath(folder)) {
        refuse(tr("Recording is off for this connection: the folder %1 cannot be created.")
                   .arg(QDir::toNativeSeparators(folder)));
        return;
    }
    // "20261204-183012-345 127.0.0.1_9001.pcapng": sorted by time, and says where it went.
    const QUrl url(trace.url());
    QString host =
        url.host() + u'_' + QString::number(url.port(url.scheme() == u"wss"_s ? 443 : 80));
    host.replace(QRegularExpression(u"[^A-Za-z0-9._-]"_s), u"_"_s);
    const QString name = trace.startedAt().toLocalTime().toString(u"yyyyMMdd-HHmmss-zzz"_s) + u' ' +
                         host + u".pcapng"_s;
    auto recorder = std::make_shared<capture::BackgroundRecorder>(QDir(folder).filePath(name));
    Scenario scenario;
    scenario.settings = m_settings;
    if (!recorder->begin(capture::connectionRecordOf(trace, scenarioToJson(scenario)))) {
        refuse(tr("Recording is off for this connection: %1").arg(recorder->errorString()));
        return;
    }
    m_recordingPath = recorder->path();
    // Handed over in the session's thread, batch by batch, before the window gets each one, and
    // written by the recorder's own thread.
    const qint64 cap = m_recording.maxOctets;
    // The controller outlives the session's thread (its host waits for it), so the queued
    // message always has its receiver.
    SessionController *self = this;
    m_host->invoke([recorder, cap, self](ClientSession &session) {
        session.setBatchObserver([recorder, cap, self,
                                  stopped = false](const TraceBatch &batch) mutable {
            if (stopped)
                return;
            QString why;
            if (!recorder->append(batch))
                why = tr("Recording stopped: %1").arg(recorder->errorString());
            else if (recorder->written() > cap)
                why = tr("Recording stopped at its size limit of %1; the connection goes on, "
                         "and the window still has all of it.")
                          .arg(format::dataSize(cap));
            if (why.isEmpty())
                return;
            stopped = true;
            recorder->finish();
            QMetaObject::invokeMethod(
                self, [self, why] { Q_EMIT self->recordingStopped(why); }, Qt::QueuedConnection);
        });
    });
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
