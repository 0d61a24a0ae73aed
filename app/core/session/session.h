// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/frameparser.h"
#include "protocol/handshake.h"
#include "protocol/permessagedeflate.h"
#include "protocol/utf8validator.h"
#include "session/peerevent.h"
#include "session/proxy.h"
#include "session/step.h"
#include "session/tlsoptions.h"
#include "trace/inflation.h"
#include "trace/octetarena.h"
#include "trace/trace.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>
#include <QUrl>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <type_traits>

QT_BEGIN_NAMESPACE
class QTcpSocket;
class QThread;
QT_END_NAMESPACE

namespace wsi {

class TlsClient;

// Everything that shapes one client connection.
struct SessionSettings
{
    QUrl url;
    HandshakeOptions handshake;
    bool ignoreCertificateErrors = false;
    QString caFile;              // extra CA certificates (PEM) to trust for wss://
    TlsOptions tls;              // client certificate, SNI, ALPN, version, key log (wss://)
    ProxySettings proxy;         // the proxy to connect through (docs/proxies.md)
    bool autoPong = true;        // answer pings while OPEN (docs/sending.md §1.5)
    bool autoCloseReply = true;  // answer the peer's close with 1000 (docs/sending.md §1.5)
    bool failOnViolation = true; // fail on a protocol violation (docs/sending.md §3.1)
    int openHandshakeTimeoutMs = 5000;
    int closeHandshakeTimeoutMs = 1000;
    int serverDropTimeoutMs = 1000;
    qint64 maxFramePayload = 64ll * 1024 * 1024; // size limit for received frames and messages
    // The budget of the consumer's trace (Trace::Limits::maxStoredOctets): what the window or
    // the CLI stores of this connection at most; past it, octets and frames are counted only.
    qint64 maxTraceOctets = Trace::kDefaultMaxStoredOctets;
    int batchIntervalMs = 30; // trace batches to the consumer, at most ~33 per second
};

// The client engine: one connection, our own framing over QTcpSocket (TLS by TlsClient), the state
// machine CONNECTING → OPEN → CLOSING → CLOSED, the send queue with chop and sync, the timers of
// docs/sending.md §2. Everything it does becomes trace records, delivered in
// batches through traceBatch(). Lives in one thread (see SessionHost); all calls from that thread.
class ClientSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClientSession)

public:
    explicit ClientSession(QObject *parent = nullptr);
    ~ClientSession() override;

    using EventHandler = std::function<void(ClientSession &, const PeerEvent &)>;
    // Called for every complete message and pong (not after failedByMe for messages,
    // docs/cases.md §2.2).
    void setEventHandler(EventHandler handler) { m_eventHandler = std::move(handler); }
    // Called in the session's thread with every batch, just before it is handed to the
    // consumer: a capture written as the connection runs, off the window's thread.
    void setBatchObserver(std::function<void(const TraceBatch &)> observer)
    {
        m_batchObserver = std::move(observer);
    }
    // Called once when the connection reaches OPEN, before the steps run.
    void setOpenHandler(std::function<void(ClientSession &)> handler)
    {
        m_openHandler = std::move(handler);
    }

    [[nodiscard]] SessionState state() const { return m_state; }
    [[nodiscard]] const SessionSettings &settings() const { return m_settings; }
    [[nodiscard]] bool failedByMe() const { return m_failedByMe; }
    // The permessage-deflate agreement of the opening handshake (RFC 7692); not agreed before
    // OPEN, without an offer or when the server declined it.
    [[nodiscard]] const DeflateAgreement &deflateAgreement() const { return m_deflate; }
    // The session's own count of the data messages' octets on the wire and as the application
    // sent or got them, under an agreed permessage-deflate: exact however much of the trace is
    // stored (the cases' trafficStats, like the reference's own counters).
    [[nodiscard]] const DeflateStatistics &deflateCounts() const { return m_deflateCounts; }
    // TX frames counted by opcode, for cases that check their own sending (10.1.1).
    [[nodiscard]] const CountMap &txFrameCounts() const { return m_txFrameCounts; }
    [[nodiscard]] qint64 elapsedNs() const
    {
        return m_clock.isValid() ? m_clock.nsecsElapsed() : 0;
    }
    // Flow control with the consumer of traceBatch(): reading from the socket pauses while more
    // than kPauseReadingAt of records are handed over and not yet appended, and resumes at
    // kResumeReadingAt, so a consumer that lags holds the server back instead of growing memory.
    [[nodiscard]] const std::shared_ptr<TraceFlow> &traceFlow() const { return m_flow; }
    [[nodiscard]] bool isReadingPaused() const { return m_readPaused; }
    static constexpr qint64 kPauseReadingAt = 16ll * 1024 * 1024;
    static constexpr qint64 kResumeReadingAt = 8ll * 1024 * 1024;
    // What the TCP socket buffers of what the kernel received (TlsClient sets its own bound).
    static constexpr qint64 kSocketReadBuffer = 1024 * 1024;
    // Our octets not yet taken by the kernel (a server that does not read, our pongs to its
    // ping flood): past this, reading pauses too, until the socket has written them.
    static constexpr qint64 kMaxUnsentOctets = 16ll * 1024 * 1024;
    // What is kept of each received chunk once we have failed the connection or closed TCP:
    // the octets the wire log shows (docs/reports.md §4.3); the rest is counted, not stored.
    static constexpr qsizetype kKeptHead = 64;

public Q_SLOTS:
    // Starts connecting. The steps run once the connection is OPEN.
    void start(const wsi::SessionSettings &settings, const wsi::StepList &steps = {});
    // Appends steps; they run after the ones still pending (at once when idle and OPEN).
    // `run` tags them: stepStarted() reports it with each step's index in `steps`.
    void runSteps(const wsi::StepList &steps, int run = 0);
    // Drops the steps not yet run and ends a running Delay step (its timeout is not recorded):
    // nothing more of them is sent. Octets a step already handed to the write path (a chopped
    // frame) still go out. Emits stepsFinished() if anything was pending or waiting.
    void stopSteps();

    // The actions (also reachable as steps).
    void sendFrame(const wsi::FrameSpec &spec, int chopDelayMs = 0);
    // Under an agreed permessage-deflate the whole message is compressed first, then fragmented,
    // RSV1 on the first frame only (docs/deflate.md); `deflate` chooses otherwise, or breaks it on
    // purpose.
    void sendMessage(const QByteArray &payload, bool binary, int fragmentSize = 0, int chopSize = 0,
                     bool sync = false, wsi::DeflateSend deflate = wsi::DeflateSend::Agreed);
    void close(std::optional<int> code, const QByteArray &reason);
    void fail();
    void dropTcp();
    void halfClose();
    void closeAfter(double seconds);
    void failAfter(double seconds);
    void delay(double seconds, const QString &tag, std::function<void()> then);
    // Switches the report's wire log for the octets and frames that follow (createWirelog,
    // docs/reports.md §4.4); `marker` writes a WIRELOG ENABLED/DISABLED entry (9.7, 9.8), otherwise
    // it is silent (9.1–9.6).
    void setWireLog(bool enabled, bool marker);

public:
    // Runs `fn(*this)` in the session's thread; callable from any thread, calls run in the order
    // posted. The call is handed over under a mutex of ours, not only through Qt's event queue:
    // Qt's own locking is not visible to ThreadSanitizer (Debian's Qt is not built with it).
    void post(std::function<void(ClientSession &)> fn);

Q_SIGNALS:
    void traceBatch(const wsi::TraceBatchPtr &batch);
    void stateChanged(wsi::SessionState state);
    // A step begins (a Delay: its wait begins): the `run` given to runSteps() (0 for start()'s
    // steps) and its index there.
    void stepStarted(int run, int index);
    // No step is pending or waiting any more: after the last step (once a trailing Delay is
    // over), or after stopSteps(). Not when the connection closes with steps pending.
    void stepsFinished();
    // The TCP connection is closed and every record of it was delivered.
    void finished();

private Q_SLOTS:
    // One call of post(), in the session's thread (invoked by name: no functor of ours crosses).
    void runPosted();

private:
    struct PendingStep
    {
        Step step;
        int run = 0;
        int index = 0;
    };
    void queueSteps(const StepList &steps, int run);

    struct QueueItem
    {
        QByteArray bytes;
        bool sync = true;
        int delayAfterMs = 0;
        bool halfClose = false; // a marker: shut down our side when its turn comes
    };

    template <typename Record>
    void record(Record &&rec)
    {
        if constexpr (std::is_same_v<std::decay_t<Record>, FrameRecord>)
            m_pending.add(std::forward<Record>(rec), m_frameProducer);
        else
            m_pending.add(std::forward<Record>(rec));
        // A full batch goes at once: the consumer (the window's thread) never gets a batch so
        // large that appending it stalls its event loop.
        if (m_pending.size() >= kMaxBatchRecords)
            flushBatch();
        else if (!m_flushScheduled)
            scheduleFlush();
    }
    // An event of `kind` stamped now, for the caller to fill and record.
    [[nodiscard]] TraceEvent newEvent(TraceEvent::Kind kind) const;
    void recordEvent(TraceEvent::Kind kind, const QString &text = {}, double seconds = 0,
                     bool flag = false);
    // `timerSeconds`: the timeout that starts with this state (CONNECTING: the opening handshake).
    void setState(SessionState state, double timerSeconds = 0);
    void flushBatch();
    void scheduleFlush();
    static constexpr size_t kMaxBatchRecords = 16384;

    void onTcpConnected();
    // The proxy leg (docs/proxies.md): over the TCP connection to the proxy, before TLS or the
    // opening handshake. Its octets are events, not part of the RX/TX streams.
    void startProxyLeg();
    void onProxyReadyRead();
    void feedProxy(QByteArray octets);
    void failProxy(const QString &failure);
    void finishProxyLeg(const QByteArray &tunnelOctets);
    void startTls();
    [[nodiscard]] qint64 transportBytesAvailable() const;
    void onConnected();
    void onReadyRead();
    // Reads what the transport has. `drain`: everything, whatever the flow control says (the
    // connection is ending: what is still buffered is all that will come).
    void readAvailable(bool drain);
    // True (reading pauses) while the consumer lags or our own octets pile up unsent.
    [[nodiscard]] bool mustPauseReading();
    void resumeReading();
    void onDisconnected();
    void onSocketError();
    // How the peer ended TCP, read from the kernel through m_watchFd (then closed).
    [[nodiscard]] TcpEnd peerEnd();
    void closeWatchFd();
    // Refuses sending after our own half-close, with a note; true when sending is possible.
    [[nodiscard]] bool canSend(const char *what);
    void sendHandshake();
    void processHandshake(const QByteArray &data);
    void processFrames(const char *data, qsizetype size);
    [[nodiscard]] FrameRecord toRecord(DecodedFrame &frame, qint64 timeNs) const;
    void handleFrame(DecodedFrame &frame, qint64 timeNs);
    void handleClose(const QByteArray &payload);
    void handleDataFrame(quint8 opcode, bool fin, const QByteArray &payload);
    // permessage-deflate on a received data frame: inflates a compressed message's frame into
    // `out` and adds the violations the inflated octets break (inflate error, size limit, UTF-8).
    // False when the frame is not part of a compressed message.
    bool inflateFrame(DecodedFrame &frame, QByteArray &out);
    // The deflater our compressed frames go through (the agreed one; without an agreement a
    // default one, for frames compressed on purpose).
    Deflater &txDeflater();
    // The violations our frame breaks once inflated (inflate error, inflated text not UTF-8),
    // when it belongs to a compressed message of ours.
    [[nodiscard]] Violations txInflationViolations(const FrameSpec &spec);
    void failConnection(int code, const QByteArray &reason, const QString &why);
    void sendCloseFrame(std::optional<int> code, const QByteArray &reason, bool isReply);
    void closeTcp(bool abort, const QString &why);
    void connectionLost(const QString &why, TcpEnd end);
    void runNextStep();
    void executeStep(const Step &step);
    void sendFrameHeader(const FrameSpec &spec);
    void sendFrameData(const QByteArray &data);

    // docs/sending.md §1.2 write path.
    void writeFrame(QByteArray bytes, int chopSize, bool sync, int chopDelayMs);
    void writeDirect(const QByteArray &bytes, bool sync);
    void triggerQueue();
    void drainQueue();
    void doHalfClose();

    SessionSettings m_settings;
    QTcpSocket *m_socket = nullptr;
    TlsClient *m_tlsClient = nullptr; // wss://: our TLS layer over m_socket
    bool m_tls = false;
    bool m_tcpConnected = false;  // TCP was established (TLS may still fail on top of it)
    bool m_halfClosed = false;    // we shut down our sending side
    bool m_peerClosedTls = false; // the server sent close_notify
    ProxySettings m_proxy;        // resolved (never System); None: a direct connection
    std::unique_ptr<ProxyHandshake> m_proxyHandshake;
    bool m_proxyPending = false; // through a proxy, and its leg is not done yet
    QMetaObject::Connection m_proxyRead;
    // A duplicate of the socket's descriptor, kept while the peer may end the connection: Qt
    // closes its own on FIN and on RST alike, the duplicate lets us ask the kernel which it was.
    int m_watchFd = -1;
    TcpEnd m_end = TcpEnd::Unknown; // how TCP ends, once known (our close or abort, the peer's)
    SessionState m_state = SessionState::Idle;
    QElapsedTimer m_clock;
    TraceBatch m_pending;
    FrameProducer m_frameProducer; // frames go straight into blocks the trace adopts
    bool m_flushScheduled = false;
    qint64 m_readTimeNs = 0; // time of the read being processed: its frames arrived with it
    std::shared_ptr<TraceFlow> m_flow = std::make_shared<TraceFlow>();
    OctetArena m_rxArena;    // where reads land: the chunks share its blocks
    QByteArray m_readBuffer; // a read of which only the head is kept (m_rxHeadsOnly)
    bool m_readPaused = false;
    bool m_reading = false;     // inside readAvailable() (a signal from a read must not nest one)
    bool m_rxHeadsOnly = false; // failed by us or TCP closed by us: keep kKeptHead a chunk
    QTimer m_flushTimer;
    QTimer m_openTimer;
    QTimer m_closeTimer;
    QTimer m_dropTimer;
    QTimer m_drainTimer;
    std::deque<QueueItem> m_queue;
    bool m_draining = false;
    qint64 m_lastQueuedWriteNs = -1;
    static constexpr qint64 kQueuedWriteGapNs = 10'000; // the reference's 0.00001 s reactor delay

    HandshakeRequest m_request;
    HandshakeResponseReader m_responseReader;
    bool m_handshakeDone = false;
    bool m_handshakeSent = false;
    qint64 m_parserBase = 0; // RX stream offset where the frames begin (after the HTTP head)
    FrameParser m_parser;
    FrameJudge m_txJudge; // our frames, by the parser's rules (framerules.h)
    std::vector<DecodedFrame> m_decoded;

    QList<PendingStep> m_steps;
    bool m_waiting = false;        // a Delay step is holding the rest back
    quint64 m_delayGeneration = 0; // stopSteps() counts it up: older delays end silently
    bool m_stepsRunning = false;
    bool m_closeReceived = false;
    bool m_failedByMe = false;
    bool m_finished = false;
    qint64 m_txOffset = 0;  // octets handed to the write path so far (frame stream offsets)
    qint64 m_txWritten = 0; // octets actually written
    qint64 m_rxOffset = 0;

    // Message reassembly for the event handler (bounded by maxFramePayload).
    QByteArray m_message;
    bool m_messageBinary = false;
    bool m_messageOpen = false;
    bool m_messageTooBig = false;

    // The frame begun by a FrameHeader step (streaming API): its key and the payload octets sent.
    quint32 m_streamKey = 0;
    bool m_streamMasked = false;
    qint64 m_streamOffset = 0;

    // permessage-deflate (RFC 7692), once agreed in the opening handshake.
    DeflateAgreement m_deflate;
    std::unique_ptr<Inflater> m_inflater;
    std::unique_ptr<Deflater> m_deflater;
    bool m_rxCompressed = false;  // the open received message is compressed
    bool m_rxText = false;        // … and a text message
    Utf8Validator m_inflatedUtf8; // its inflated octets
    // Our own compressed frames inflated as the server will (a broken send mode named on its
    // frame, as the server's broken frames are).
    DeflateStatistics m_deflateCounts;
    std::unique_ptr<Inflater> m_txInflater;
    bool m_txCompressed = false;
    bool m_txText = false;
    Utf8Validator m_txInflatedUtf8;

    CountMap m_txFrameCounts;
    EventHandler m_eventHandler;
    std::function<void(ClientSession &)> m_openHandler;
    std::function<void(const TraceBatch &)> m_batchObserver;

    std::mutex m_postedMutex; // guards m_posted: post() is called from other threads
    std::deque<std::function<void(ClientSession &)>> m_posted;
};

// Runs a ClientSession in a thread of its own, so a flood never blocks the window. Calls are
// forwarded to the session's thread (ClientSession::post); its signals arrive queued in the host's
// thread, in the order emitted. Both ways the payload (a call, a batch) crosses under a mutex of
// ours, so ThreadSanitizer sees what orders the two threads (Qt's event queue alone it cannot).
class SessionHost final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionHost)

public:
    explicit SessionHost(QObject *parent = nullptr);
    ~SessionHost() override;

    // The session itself (lives in the worker thread: only use it through invoke()).
    [[nodiscard]] ClientSession *session() const { return m_session; }
    // Runs `fn(session)` in the session's thread.
    void invoke(std::function<void(ClientSession &)> fn);

    void start(const SessionSettings &settings, const StepList &steps = {});
    void runSteps(const StepList &steps, int run = 0);
    void stopSteps();

Q_SIGNALS:
    void traceBatch(const wsi::TraceBatchPtr &batch);
    void stateChanged(wsi::SessionState state);
    void stepStarted(int run, int index);
    void stepsFinished();
    void finished();

private Q_SLOTS:
    // Emits the oldest forwarded signal, in the host's thread (invoked by name, once per
    // forward()).
    void deliverOne();

private:
    using Delivery = std::function<void(SessionHost &)>;
    // In the session's thread: queues `delivery` for the host's thread.
    void forward(Delivery delivery);

    QThread *m_thread = nullptr;
    ClientSession *m_session = nullptr;
    std::mutex m_mailMutex; // guards the three below
    std::deque<Delivery> m_mail;
    bool m_closing = false;     // the host is being destroyed: nothing more is forwarded
    bool m_sessionGone = false; // the session thread deleted the session, its last act
};

} // namespace wsi

Q_DECLARE_METATYPE(wsi::SessionSettings)
Q_DECLARE_METATYPE(wsi::StepList)
Q_DECLARE_METATYPE(wsi::SessionState)
