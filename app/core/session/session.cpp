// SPDX-License-Identifier: MIT
#include "session/session.h"

#include "session/tlsclient.h"

#include <QFile>
#include <QHostAddress>
#include <QSslCertificate>
#include <QTcpSocket>
#include <QThread>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {
constexpr qsizetype kReadChunk = 64 * 1024; // one read ≤ 64 KiB, like the reference transport
constexpr quint8 kDeflateRsv = 4;           // RSV1: "this message is compressed" (RFC 7692 §6)

} // namespace

ClientSession::ClientSession(QObject *parent)
    : QObject(parent), m_flushTimer(this), m_openTimer(this), m_closeTimer(this), m_dropTimer(this),
      m_drainTimer(this)
{
    m_flushTimer.setSingleShot(true);
    m_openTimer.setSingleShot(true);
    m_closeTimer.setSingleShot(true);
    m_dropTimer.setSingleShot(true);
    m_drainTimer.setSingleShot(true);
    m_openTimer.setTimerType(Qt::PreciseTimer);
    m_closeTimer.setTimerType(Qt::PreciseTimer);
    m_dropTimer.setTimerType(Qt::PreciseTimer);
    m_drainTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_flushTimer, &QTimer::timeout, this, &ClientSession::flushBatch);
    // The consumer gives batches back in its thread: the wake-up only posts to ours.
    m_flow->setWake([this] { post([](ClientSession &s) { s.resumeReading(); }); });
    connect(&m_drainTimer, &QTimer::timeout, this, &ClientSession::drainQueue);
    connect(&m_openTimer, &QTimer::timeout, this, [this] {
        if (m_state != SessionState::Connecting)
            return;
        if (m_proxyPending)
            recordEvent(TraceEvent::Kind::ProxyFailed,
                        m_proxyHandshake
                            ? u"no complete reply from the proxy within the opening handshake "
                              u"timeout"_s
                            : u"no TCP connection to "_s + m_proxy.displayName() +
                                  u" within the opening handshake timeout"_s);
        recordEvent(TraceEvent::Kind::OpenHandshakeTimeout);
        closeTcp(true, u"opening handshake timeout"_s);
    });
    connect(&m_closeTimer, &QTimer::timeout, this, [this] {
        if (m_state == SessionState::Closed)
            return;
        recordEvent(TraceEvent::Kind::CloseHandshakeTimeout);
        closeTcp(true, u"closing handshake timeout"_s);
    });
    connect(&m_dropTimer, &QTimer::timeout, this, [this] {
        if (m_state == SessionState::Closed)
            return;
        recordEvent(TraceEvent::Kind::ServerDropTimeout);
        closeTcp(true, u"server connection drop timeout"_s);
    });
}

ClientSession::~ClientSession()
{
    m_flow->setWake({}); // batches still in flight may outlive us
    {
        // Calls posted but not run (the thread quits first) are dropped; the lock orders the
        // posting threads' last post() before this destructor.
        const std::lock_guard lock(m_postedMutex);
        m_posted.clear();
    }
    closeWatchFd();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void ClientSession::post(std::function<void(ClientSession &)> fn)
{
    // One queued call per post, so posted calls keep their place among our thread's other events.
    // Queued under the lock: the destructor takes it too, so a post() that has returned is done.
    const std::lock_guard lock(m_postedMutex);
    m_posted.push_back(std::move(fn));
    QMetaObject::invokeMethod(this, "runPosted", Qt::QueuedConnection);
}

void ClientSession::runPosted()
{
    std::function<void(ClientSession &)> fn;
    {
        const std::lock_guard lock(m_postedMutex);
        if (m_posted.empty())
            return;
        fn = std::move(m_posted.front());
        m_posted.pop_front();
    }
    fn(*this);
}

// ---- trace -------------------------------------------------------------------------------------

TraceEvent ClientSession::newEvent(TraceEvent::Kind kind) const
{
    TraceEvent e;
    e.timeNs = elapsedNs();
    e.kind = kind;
    return e;
}

void ClientSession::recordEvent(TraceEvent::Kind kind, const QString &text, double seconds,
                                bool flag)
{
    TraceEvent e = newEvent(kind);
    e.text = text;
    e.seconds = seconds;
    e.flag = flag;
    record(std::move(e));
}

void ClientSession::setState(SessionState state, double timerSeconds)
{
    if (m_state == state)
        return;
    m_state = state;
    TraceEvent e = newEvent(TraceEvent::Kind::StateChanged);
    e.state = state;
    e.seconds = timerSeconds;
    record(std::move(e));
    flushBatch();
    Q_EMIT stateChanged(state);
}

void ClientSession::scheduleFlush()
{
    m_flushScheduled = true;
    m_flushTimer.start(m_settings.batchIntervalMs);
}

void ClientSession::flushBatch()
{
    m_flushTimer.stop();
    m_flushScheduled = false;
    if (m_pending.isEmpty())
        return;
    auto batch = std::make_shared<TraceBatch>(std::move(m_pending));
    batch->ticket = FlowTicket(m_flow, batch->cost); // given back once appended
    // The next batch is likely as large: reserve so a flood does not regrow it every time.
    m_pending = TraceBatch{};
    m_pending.frames.reserve(batch->frames.size());
    m_pending.order.reserve(batch->order.size());
    m_pending.chunks.reserve(batch->chunks.size());
    if (m_batchObserver)
        m_batchObserver(*batch);
    Q_EMIT traceBatch(batch);
}

// ---- connecting and the opening handshake -----------------------------------------------------

void ClientSession::start(const SessionSettings &settings, const StepList &steps)
{
    if (m_state != SessionState::Idle)
        return;
    m_settings = settings;
    queueSteps(steps, 0);
    m_clock.start();
    // The trace keeps every octet: data payloads are read from there, not stored twice. Only a
    // case's event handler needs message contents as they arrive.
    m_parser.setOptions(
        frameParserOptions(Direction::Rx, settings.maxFramePayload, bool(m_eventHandler)));
    setState(SessionState::Connecting, settings.openHandshakeTimeoutMs / 1000.0);

    const QUrl &url = settings.url;
    const bool tls = url.scheme() == u"wss"_s;
    m_tls = tls;
    if (!url.isValid() || (url.scheme() != u"ws"_s && !tls) || url.host().isEmpty()) {
        recordEvent(TraceEvent::Kind::Error, u"not a ws:// or wss:// URL: "_s + url.toString());
        connectionLost(u"invalid URL"_s, TcpEnd::NoConnection);
        return;
    }
    const quint16 port = quint16(url.port(tls ? 443 : 80));
    // Through a proxy, TCP goes to the proxy; "system" is resolved here, for this URL.
    m_proxy = settings.proxy;
    if (m_proxy.kind == ProxySettings::Kind::System) {
        m_proxy = resolveSystemProxy(url);
        recordEvent(TraceEvent::Kind::Note,
                    u"system proxy: "_s +
                        (m_proxy.isDirect() ? u"none (a direct connection)"_s : m_proxy.toUrl()));
    }
    m_proxyPending = !m_proxy.isDirect();
    m_socket = new QTcpSocket(this);
    // Bounded: when we pause reading, the kernel's window holds the server back.
    m_socket->setReadBufferSize(kSocketReadBuffer);
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        if (m_readPaused && m_socket->bytesToWrite() <= kMaxUnsentOctets / 2)
            resumeReading();
    });
    // TCP itself is up (before TLS, for wss://): from here on a failure is not "no connection".
    connect(m_socket, &QTcpSocket::connected, this, &ClientSession::onTcpConnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &ClientSession::onSocketError);
    if (m_proxyPending) {
        // Until the tunnel is up, what the socket reads is the proxy's (finishProxyLeg()).
        m_proxyRead =
            connect(m_socket, &QTcpSocket::readyRead, this, &ClientSession::onProxyReadyRead);
    } else if (!tls) {
        connect(m_socket, &QTcpSocket::readyRead, this, &ClientSession::onReadyRead);
        connect(m_socket, &QTcpSocket::disconnected, this, &ClientSession::onDisconnected);
    }
    m_openTimer.start(settings.openHandshakeTimeoutMs);
    if (m_proxyPending)
        m_socket->connectToHost(m_proxy.host, m_proxy.port);
    else
        m_socket->connectToHost(url.host(), port);
}

void ClientSession::startTls()
{
    // Our own TLS layer (TlsClient): unlike QSslSocket it answers the server's close_notify and
    // sends ours when we close, which servers that wait for it need to close TCP (docs/tls.md).
    TlsClient::Options options;
    options.ignoreCertificateErrors = m_settings.ignoreCertificateErrors;
    options.tls = m_settings.tls;
    if (!m_settings.caFile.isEmpty()) {
        QFile ca(m_settings.caFile);
        const QByteArray pem =
            ca.open(QIODevice::ReadOnly) ? ca.read(4 * 1024 * 1024) : QByteArray();
        if (QSslCertificate::fromData(pem, QSsl::Pem).isEmpty())
            recordEvent(TraceEvent::Kind::Error,
                        u"CA file has no PEM certificate: "_s + m_settings.caFile);
        else
            options.extraCaPem << pem;
    }
    m_tlsClient = new TlsClient(this);
    connect(m_tlsClient, &TlsClient::certificateErrors, this, [this](const QStringList &errors) {
        for (const QString &error : errors)
            recordEvent(TraceEvent::Kind::CertificateError, error);
    });
    connect(m_tlsClient, &TlsClient::encrypted, this, &ClientSession::onConnected);
    connect(m_tlsClient, &TlsClient::handshakeFailed, this, [this](const QString &reason) {
        recordEvent(TraceEvent::Kind::TlsHandshakeFailed,
                    reason.startsWith(u"TLS handshake failed: "_s) ? reason.mid(22) : reason);
        closeTcp(true, u"TLS handshake failed"_s);
    });
    connect(m_tlsClient, &TlsClient::readyRead, this, &ClientSession::onReadyRead);
    connect(m_tlsClient, &TlsClient::closeNotifyReceived, this, [this] {
        recordEvent(TraceEvent::Kind::TlsCloseNotify, {}, 0, false); // received
        if (m_end != TcpEnd::Unknown || m_state == SessionState::Closed)
            return;
        // The server ended the TLS session: that is its close. Our close_notify answered it;
        // TCP then closes (as the reference's TLS transport does), and the end is the server's.
        m_peerClosedTls = true;
        m_end = TcpEnd::PeerTls;
        closeWatchFd();
        m_socket->disconnectFromHost();
    });
    connect(m_tlsClient, &TlsClient::closeNotifySent, this, [this] {
        recordEvent(TraceEvent::Kind::TlsCloseNotify, {}, 0, true); // sent
    });
    connect(m_tlsClient, &TlsClient::error, this, [this](const QString &message) {
        recordEvent(TraceEvent::Kind::Error, message);
        closeTcp(true, message);
    });
    connect(m_tlsClient, &TlsClient::disconnected, this, &ClientSession::onDisconnected);
    m_tlsClient->startClient(m_socket, m_settings.url.host(), options);
}

void ClientSession::onTcpConnected()
{
    if (m_proxyPending) {
        // TCP reaches the proxy only; the server's connection is the tunnel, once it is up.
        startProxyLeg();
        return;
    }
    m_tcpConnected = true;
    const qintptr fd = m_socket->socketDescriptor();
    if (fd >= 0 && m_watchFd < 0)
        m_watchFd = ::fcntl(int(fd), F_DUPFD_CLOEXEC, 0);
    if (m_tls)
        startTls();
    else
        onConnected();
}

void ClientSession::onConnected()
{
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1); // TCP_NODELAY
    TraceEvent connected;
    connected.timeNs = elapsedNs();
    connected.kind = TraceEvent::Kind::Connected;
    connected.text =
        m_socket->peerAddress().toString() + u':' + QString::number(m_socket->peerPort());
    if (!m_proxy.isDirect()) {
        // TCP's peer is the proxy (the text's first word, as captures read it); the target too.
        const QUrl &url = m_settings.url;
        connected.text += u" through "_s + m_proxy.displayName() + u" to "_s + url.host() + u':' +
                          QString::number(url.port(m_tls ? 443 : 80));
    }
    // wss://: what the TLS handshake established (protocol, cipher, the server's chain).
    if (m_tlsClient && m_tlsClient->isEncrypted())
        connected.tls = TlsInfoPtr(new TlsInfo(m_tlsClient->sessionInfo()));
    record(std::move(connected));
    sendHandshake();
}

void ClientSession::startProxyLeg()
{
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1); // small requests, no delay
    m_proxyHandshake = std::make_unique<ProxyHandshake>(m_proxy);
    const QUrl &url = m_settings.url;
    const ProxyHandshake::Result r =
        m_proxyHandshake->start(url.host(), quint16(url.port(m_tls ? 443 : 80)));
    if (r.status == ProxyHandshake::Status::Failed) {
        failProxy(r.failure);
        return;
    }
    // Written as they are, not through the write path: the TX stream is the server's.
    recordEvent(TraceEvent::Kind::ProxyRequest, r.requestText);
    m_socket->write(r.octets);
}

void ClientSession::onProxyReadyRead()
{
    while (m_proxyHandshake && m_state != SessionState::Closed && m_socket->bytesAvailable() > 0)
        feedProxy(m_socket->read(kReadChunk));
}

void ClientSession::feedProxy(QByteArray octets)
{
    while (m_proxyHandshake) {
        const ProxyHandshake::Result r = m_proxyHandshake->feed(octets);
        octets.clear();
        if (!r.replyText.isEmpty())
            recordEvent(TraceEvent::Kind::ProxyReply, r.replyText);
        switch (r.status) {
        case ProxyHandshake::Status::NeedMore:
            return;
        case ProxyHandshake::Status::Write:
            recordEvent(TraceEvent::Kind::ProxyRequest, r.requestText);
            m_socket->write(r.octets);
            break; // the proxy may have sent more already: feed again
        case ProxyHandshake::Status::Failed:
            failProxy(r.failure);
            return;
        case ProxyHandshake::Status::Done:
            finishProxyLeg(r.octets);
            return;
        }
    }
}

void ClientSession::failProxy(const QString &failure)
{
    if (m_state == SessionState::Closed)
        return;
    // Like a connect error: there never was a connection to the server.
    recordEvent(TraceEvent::Kind::ProxyFailed, failure);
    m_proxyHandshake.reset();
    m_proxyPending = false;
    m_end = TcpEnd::NoConnection;
    closeWatchFd();
    m_socket->abort();
    connectionLost(failure, TcpEnd::NoConnection);
}

void ClientSession::finishProxyLeg(const QByteArray &tunnelOctets)
{
    m_proxyHandshake.reset();
    disconnect(m_proxyRead);
    if (m_tls && !tunnelOctets.isEmpty()) {
        // A TLS server never speaks first: these came from the proxy.
        failProxy(u"the proxy sent "_s + QString::number(tunnelOctets.size()) +
                  u" octets after its reply, before our TLS handshake began"_s);
        return;
    }
    m_proxyPending = false;
    if (!m_tls) {
        connect(m_socket, &QTcpSocket::readyRead, this, &ClientSession::onReadyRead);
        connect(m_socket, &QTcpSocket::disconnected, this, &ClientSession::onDisconnected);
    }
    onTcpConnected(); // as if TCP to the server had just come up: TLS or the opening handshake
    if (m_tls || m_state == SessionState::Closed)
        return;
    if (!tunnelOctets.isEmpty()) {
        // The server's first octets came with the proxy's reply: the RX stream starts with them.
        OctetChunk chunk;
        m_readTimeNs = elapsedNs();
        chunk.timeNs = m_readTimeNs;
        chunk.streamOffset = m_rxOffset;
        chunk.size = tunnelOctets.size();
        chunk.data = tunnelOctets;
        chunk.direction = Direction::Rx;
        m_rxOffset += chunk.size;
        record(std::move(chunk));
        processHandshake(tunnelOctets);
    }
    if (m_state != SessionState::Closed && m_socket->bytesAvailable() > 0)
        readAvailable(false);
}

void ClientSession::sendHandshake()
{
    QByteArray key(16, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(key.data()), 4);
    m_request = buildHandshakeRequest(m_settings.url, m_settings.handshake, key);
    recordEvent(TraceEvent::Kind::HandshakeRequest, QString::fromLatin1(m_request.bytes));
    m_txOffset += m_request.bytes.size();
    writeDirect(m_request.bytes, false);
}

void ClientSession::processHandshake(const QByteArray &data)
{
    const auto status = m_responseReader.feed(data);
    if (status == HandshakeResponseReader::Status::NeedMore)
        return;
    if (status == HandshakeResponseReader::Status::TooLarge) {
        recordEvent(TraceEvent::Kind::HandshakeFailed,
                    u"HTTP response head larger than 64 KiB without an end"_s);
        closeTcp(true, u"opening handshake failed"_s);
        return;
    }
    const QByteArray head = m_responseReader.head();
    const QByteArray rest = m_responseReader.takeRemainder();
    const HandshakeResponse response =
        checkHandshakeResponse(head, m_request, m_settings.handshake);
    TraceEvent e = newEvent(TraceEvent::Kind::HandshakeResponse);
    e.text = QString::fromLatin1(head);
    record(std::move(e));
    if (!response.ok()) {
        recordEvent(TraceEvent::Kind::HandshakeFailed, response.failure);
        closeTcp(true, u"opening handshake failed"_s);
        return;
    }
    m_handshakeDone = true;
    m_openTimer.stop();
    m_parserBase = m_rxOffset - rest.size();
    // permessage-deflate by the one rule set the trace's views apply to the same heads.
    m_deflate = negotiateDeflate(m_request.bytes, head).agreement;
    if (m_deflate.agreed) {
        m_inflater = std::make_unique<Inflater>(m_deflate.serverWindowBits,
                                                m_deflate.serverNoContextTakeover,
                                                m_settings.maxFramePayload);
        m_deflater = std::make_unique<Deflater>(m_deflate.clientWindowBits,
                                                m_deflate.clientNoContextTakeover);
        // The session inflates what arrives, so it needs the compressed payloads as they come.
        FrameParser::Options options =
            frameParserOptions(Direction::Rx, m_settings.maxFramePayload, true);
        options.deflate = true;
        m_parser.setOptions(options);
        m_txJudge = FrameJudge(kDeflateRsv, true);
        m_txInflater = std::make_unique<Inflater>(m_deflate.clientWindowBits,
                                                  m_deflate.clientNoContextTakeover,
                                                  m_settings.maxFramePayload);
    }
    setState(SessionState::Open);
    if (m_openHandler)
        m_openHandler(*this);
    runNextStep();
    if (!rest.isEmpty() && m_state != SessionState::Closed)
        processFrames(rest.constData(), rest.size());
}

// ---- receiving --------------------------------------------------------------------------------

void ClientSession::onReadyRead()
{
    if (!m_readPaused)
        readAvailable(false);
}

bool ClientSession::mustPauseReading()
{
    if (m_socket->bytesToWrite() > kMaxUnsentOctets)
        return true; // resumed by bytesWritten
    return m_flow->pauseAbove(kPauseReadingAt, kResumeReadingAt, m_pending.cost);
}

void ClientSession::resumeReading()
{
    if (!m_readPaused || m_reading)
        return;
    m_readPaused = false;
    readAvailable(false);
}

void ClientSession::readAvailable(bool drain)
{
    if (m_reading)
        return; // the outer loop goes on (or stops: the connection closed meanwhile)
    m_reading = true;
    qint64 available = 0;
    while (m_socket && m_state != SessionState::Closed &&
           (available = transportBytesAvailable()) > 0) {
        if (!drain && mustPauseReading()) {
            m_readPaused = true;
            flushBatch(); // the consumer must have it to give it back
            break;
        }
        // Straight into the trace's storage: the chunk shares the arena's block, so the octets
        // are not copied again. Only the head once the connection is ours to end (nothing after
        // it changes what we did): that read goes into a scratch buffer, and the head is copied.
        const qint64 wanted = std::min<qint64>(available, kReadChunk);
        if (m_rxHeadsOnly && m_readBuffer.size() != kReadChunk)
            m_readBuffer.resize(kReadChunk);
        char *buffer = m_rxHeadsOnly ? m_readBuffer.data() : m_rxArena.reserve(wanted);
        const qint64 got =
            m_tlsClient ? m_tlsClient->read(buffer, wanted) : m_socket->read(buffer, wanted);
        if (got <= 0) {
            if (!m_rxHeadsOnly)
                (void)m_rxArena.commit(0);
            break;
        }
        OctetChunk chunk;
        m_readTimeNs = elapsedNs();
        chunk.timeNs = m_readTimeNs;
        chunk.streamOffset = m_rxOffset;
        chunk.size = got;
        chunk.data = m_rxHeadsOnly ? QByteArray(buffer, qsizetype(std::min<qint64>(got, kKeptHead)))
                                   : m_rxArena.commit(qsizetype(got));
        chunk.direction = Direction::Rx;
        m_rxOffset += got;
        record(std::move(chunk));
        if (!m_handshakeDone)
            processHandshake(QByteArray(buffer, qsizetype(got)));
        else
            processFrames(buffer, qsizetype(got));
    }
    m_reading = false;
}

qint64 ClientSession::transportBytesAvailable() const
{
    return m_tlsClient ? m_tlsClient->bytesAvailable() : m_socket->bytesAvailable();
}

void ClientSession::processFrames(const char *data, qsizetype size)
{
    m_decoded.clear();
    m_parser.feed(data, size, m_decoded);
    for (DecodedFrame &frame : m_decoded) {
        if (m_state == SessionState::Closed)
            break;
        handleFrame(frame, m_readTimeNs);
    }
    m_decoded.clear();
    // Fail fast on what the frame in progress already broke (header rules, impossible UTF-8).
    if (m_settings.failOnViolation && !m_failedByMe && m_state != SessionState::Closed) {
        const Violations pending = m_parser.pendingViolations();
        if (pending != Violation::None) {
            const Violation first = violationList(pending).constFirst();
            failConnection(violationCloseCode(first), violationName(first).toUtf8(),
                           violationName(first));
        }
    }
}

FrameRecord ClientSession::toRecord(DecodedFrame &frame, qint64 timeNs) const
{
    // Under permessage-deflate the parser keeps data payloads for the inflater only: the trace
    // reads them from its octets, as for any session, instead of storing them twice.
    const bool derived = (!m_parser.options().storeDataPayloads || m_deflate.agreed) &&
                         !isControlOpcode(frame.opcode);
    if (derived)
        frame.payload = QByteArray();
    return rxFrameRecord(std::move(frame), timeNs, m_parserBase, derived);
}

bool ClientSession::inflateFrame(DecodedFrame &frame, QByteArray &out)
{
    if (!m_deflate.agreed || isControlOpcode(frame.opcode) || isReservedOpcode(frame.opcode))
        return false;
    if (frame.opcode != quint8(Opcode::Continuation)) {
        m_rxCompressed = (frame.rsv & kDeflateRsv) != 0;
        m_rxText = frame.opcode == quint8(Opcode::Text);
        m_inflatedUtf8.reset();
        if (m_rxCompressed)
            ++m_deflateCounts.rxCompressedMessages;
    }
    if (!m_rxCompressed) {
        // A plain message under the extension: the same octets on both sides.
        m_deflateCounts.rxWireOctets += frame.payload.size();
        m_deflateCounts.rxAppOctets += frame.payload.size();
        return false;
    }
    if (frame.violations != Violation::None) {
        // A broken frame inside the message (it fails the connection unless the user turned
        // failing off): the rest of the message cannot be trusted to inflate.
        m_rxCompressed = false;
        m_inflater->reset();
        return false;
    }
    Inflater::Status status = m_inflater->feed(frame.payload, out);
    if (status == Inflater::Status::Ok && frame.fin)
        status = m_inflater->finishMessage(out);
    m_deflateCounts.rxWireOctets += frame.payload.size();
    m_deflateCounts.rxAppOctets += out.size();
    if (status != Inflater::Status::Ok)
        ++m_deflateCounts.rxFailedMessages;
    if (status == Inflater::Status::Error) {
        frame.violations |= Violation::InflateError;
    } else if (status == Inflater::Status::TooLarge) {
        frame.violations |= Violation::InflatedTooLarge;
    } else if (m_rxText) {
        // The text rule applies to what the application gets: the inflated octets.
        const auto state = m_inflatedUtf8.feed(out.constData(), out.size());
        if (state == Utf8Validator::State::Invalid ||
            (frame.fin && state == Utf8Validator::State::Incomplete))
            frame.violations |= Violation::InvalidUtf8Text;
    }
    if (frame.violations != Violation::None || frame.fin)
        m_rxCompressed = false;
    if (frame.violations != Violation::None)
        m_inflater->reset();
    return true;
}

void ClientSession::handleFrame(DecodedFrame &frame, qint64 timeNs)
{
    QByteArray inflated;
    const bool compressed = inflateFrame(frame, inflated);
    const quint8 opcode = frame.opcode;
    const Violations violations = frame.violations;
    // Keep what the reactions need before the payload moves into the trace: the application's
    // octets (inflated when the message is compressed).
    const QByteArray payload = compressed                                    ? inflated
                               : (isControlOpcode(opcode) || m_eventHandler) ? frame.payload
                                                                             : QByteArray();
    const bool fin = frame.fin;
    record(toRecord(frame, timeNs));

    if (violations != Violation::None && m_settings.failOnViolation && !m_failedByMe) {
        const ParsedClosePayload close =
            opcode == quint8(Opcode::Close) ? parseClosePayload(payload) : ParsedClosePayload();
        if (close.code && violations == Violation::InvalidCloseCode) {
            // The reference engine records the peer's code before validating it
            // (docs/closing.md §1.2).
            TraceEvent e = newEvent(TraceEvent::Kind::CloseReceived);
            e.code = close.code;
            e.reason = close.reason;
            e.flag = true; // rejected: does not make the close clean
            record(std::move(e));
        }
        const Violation first = violationList(violations).constFirst();
        // The reference fails an invalid close code with its own words as the close reason.
        const QString why = first == Violation::InvalidCloseCode && close.code
                                ? u"invalid close code "_s + QString::number(*close.code)
                                : violationName(first);
        failConnection(violationCloseCode(first), why.toUtf8(), why);
        return;
    }
    switch (Opcode(opcode)) {
    case Opcode::Close:
        handleClose(payload);
        break;
    case Opcode::Ping:
        if (m_settings.autoPong && m_state == SessionState::Open) {
            FrameSpec pong;
            pong.opcode = quint8(Opcode::Pong);
            pong.payload = payload;
            sendFrame(pong);
        }
        break;
    case Opcode::Pong:
        if (m_eventHandler && m_state != SessionState::Closed)
            m_eventHandler(*this, PeerEvent{PeerEvent::Kind::Pong, payload, false});
        break;
    case Opcode::Continuation:
    case Opcode::Text:
    case Opcode::Binary:
        if (m_eventHandler)
            handleDataFrame(opcode, fin, payload);
        break;
    }
}

void ClientSession::handleDataFrame(quint8 opcode, bool fin, const QByteArray &payload)
{
    if (opcode != quint8(Opcode::Continuation)) {
        m_message.clear();
        m_messageBinary = opcode == quint8(Opcode::Binary);
        m_messageOpen = true;
        m_messageTooBig = false;
    } else if (!m_messageOpen) {
        return;
    }
    if (!m_messageTooBig) {
        if (m_message.size() + payload.size() > m_settings.maxFramePayload) {
            m_messageTooBig = true;
            m_message.clear();
            if (!m_failedByMe)
                failConnection(CloseCode::MessageTooBig, "message too big",
                               u"message over the size limit"_s);
        } else {
            m_message.append(payload);
        }
    }
    if (!fin)
        return;
    m_messageOpen = false;
    // Message delivery stops once we failed the connection (docs/sending.md §3.3).
    if (!m_messageTooBig && !m_failedByMe && m_state != SessionState::Closed) {
        const PeerEvent event{PeerEvent::Kind::Message, m_message, m_messageBinary};
        m_message.clear();
        m_eventHandler(*this, event);
    }
}

void ClientSession::handleClose(const QByteArray &payload)
{
    TraceEvent e = newEvent(TraceEvent::Kind::CloseReceived);
    const ParsedClosePayload close = parseClosePayload(payload);
    e.code = close.code;
    e.reason = close.reason;
    // The reply to our close starts the server-drop timer: the trace says how long it runs.
    if (m_state == SessionState::Closing && !m_dropTimer.isActive())
        e.seconds = m_settings.serverDropTimeoutMs / 1000.0;
    record(std::move(e));
    m_closeReceived = true;
    if (m_state == SessionState::Open) {
        // The peer started the close. Client role: reply, then wait for the server to drop TCP
        // (the reference starts no timer on this path, docs/closing.md §2).
        if (m_settings.autoCloseReply)
            sendCloseFrame(CloseCode::Normal, {}, true);
        else
            recordEvent(TraceEvent::Kind::Note, u"close received; automatic reply is off"_s);
    } else if (m_state == SessionState::Closing) {
        // The reply to our close: the server now has serverDropTimeout to drop TCP.
        m_closeTimer.stop();
        if (!m_dropTimer.isActive())
            m_dropTimer.start(m_settings.serverDropTimeoutMs);
    }
}

// ---- closing ----------------------------------------------------------------------------------

void ClientSession::sendCloseFrame(std::optional<int> code, const QByteArray &reason, bool isReply)
{
    if (!canSend("close"))
        return;
    if (m_state != SessionState::Open) {
        recordEvent(TraceEvent::Kind::Note,
                    u"close not sent: the connection is "_s + sessionStateName(m_state));
        return;
    }
    FrameSpec spec;
    spec.opcode = quint8(Opcode::Close);
    spec.payload =
        closePayload(code ? std::optional<quint16>(quint16(*code)) : std::nullopt, reason);
    sendFrame(spec);
    // A close sent after the peer's (auto-reply switched off) is a reply too.
    const bool reply = isReply || m_closeReceived;
    TraceEvent e = newEvent(TraceEvent::Kind::CloseSent);
    e.code = code;
    e.reason = reason;
    e.flag = reply;
    if (!reply)
        e.seconds = m_settings.closeHandshakeTimeoutMs / 1000.0; // the close-handshake timer
    record(std::move(e));
    setState(SessionState::Closing);
    if (!reply)
        m_closeTimer.start(m_settings.closeHandshakeTimeoutMs);
}

void ClientSession::close(std::optional<int> code, const QByteArray &reason)
{
    sendCloseFrame(code, reason, false);
}

void ClientSession::failConnection(int code, const QByteArray &reason, const QString &why)
{
    if (m_state == SessionState::Closed || m_state == SessionState::Idle)
        return;
    m_failedByMe = true;
    m_rxHeadsOnly = true; // what the server still sends is counted, not stored
    recordEvent(TraceEvent::Kind::FailedByMe, why);
    if (m_state == SessionState::Open)
        sendCloseFrame(code, reason, false);
    else if (m_state == SessionState::Closing)
        closeTcp(false, why);
    else
        closeTcp(true, why);
}

void ClientSession::fail()
{
    failConnection(CloseCode::GoingAway, "Going Away", u"fail"_s);
}

void ClientSession::dropTcp()
{
    closeTcp(true, u"drop TCP"_s);
}

void ClientSession::closeTcp(bool abort, const QString &why)
{
    if (m_state == SessionState::Closed || m_state == SessionState::Idle)
        return;
    recordEvent(TraceEvent::Kind::DroppedByMe, why);
    m_rxHeadsOnly = true;
    m_openTimer.stop();
    m_closeTimer.stop();
    m_dropTimer.stop();
    // The duplicate descriptor would hold the socket open after Qt closes it: let it go first.
    closeWatchFd();
    if (!m_socket) {
        connectionLost(why, m_tcpConnected ? TcpEnd::OurAbort : TcpEnd::NoConnection);
        return;
    }
    if (abort || m_socket->state() != QAbstractSocket::ConnectedState) {
        // abort() may report disconnected() at once: say first whose end it is.
        m_end = m_tcpConnected ? TcpEnd::OurAbort : TcpEnd::NoConnection;
        m_socket->abort();
        connectionLost(why, m_end);
    } else {
        m_end = TcpEnd::OurClose;
        // Over TLS our close_notify goes first, as the reference's TLS transport does on a
        // graceful close (TlsClient sends it once, not after answering the server's).
        if (m_tlsClient && m_tlsClient->isEncrypted())
            m_tlsClient->sendCloseNotify();
        m_socket->disconnectFromHost(); // graceful: queued octets first, then FIN
    }
}

bool ClientSession::canSend(const char *what)
{
    if (!m_halfClosed)
        return true;
    recordEvent(TraceEvent::Kind::Note,
                QString::fromLatin1(what) +
                    u" not sent: our sending side is shut down (half-close)"_s);
    return false;
}

void ClientSession::halfClose()
{
    if (!m_socket || m_state == SessionState::Closed || m_state == SessionState::Idle)
        return;
    if (!m_queue.empty()) {
        QueueItem marker;
        marker.halfClose = true;
        m_queue.push_back(marker);
        return;
    }
    doHalfClose();
}

void ClientSession::doHalfClose()
{
    if (!m_socket || m_state == SessionState::Closed || m_halfClosed)
        return;
    // Over TLS, a FIN without close_notify would read as a truncation: end our TLS side first.
    if (m_tlsClient && m_tlsClient->isEncrypted())
        m_tlsClient->sendCloseNotify();
    m_socket->flush();
    const qintptr fd = m_socket->socketDescriptor();
    if (fd < 0 || ::shutdown(int(fd), SHUT_WR) != 0) {
        recordEvent(TraceEvent::Kind::Error, u"half-close failed"_s);
        return;
    }
    m_halfClosed = true;
    // A correct server now closes its side too; it gets the server-drop timeout for that.
    recordEvent(TraceEvent::Kind::HalfClosed, {}, m_settings.serverDropTimeoutMs / 1000.0);
    if (m_settings.serverDropTimeoutMs > 0)
        m_dropTimer.start(m_settings.serverDropTimeoutMs);
}

void ClientSession::closeWatchFd()
{
    if (m_watchFd >= 0)
        ::close(m_watchFd);
    m_watchFd = -1;
}

TcpEnd ClientSession::peerEnd()
{
    // Qt reads 0 octets for a FIN and for a RST alike; the kernel's TCP state tells them apart:
    // CLOSE_WAIT after the peer's FIN, CLOSE after its RST.
    TcpEnd end = TcpEnd::PeerFin;
    tcp_info info{};
    socklen_t length = sizeof info;
    if (m_watchFd >= 0 && ::getsockopt(m_watchFd, IPPROTO_TCP, TCP_INFO, &info, &length) == 0 &&
        info.tcpi_state == TCP_CLOSE && !m_halfClosed) {
        // After our own half-close, the peer's FIN also ends in CLOSE (through TIME_WAIT).
        end = TcpEnd::PeerReset;
    }
    closeWatchFd();
    return end;
}

void ClientSession::onDisconnected()
{
    if (m_end == TcpEnd::Unknown)
        m_end = peerEnd();
    // What is still buffered (reading may have paused) is the rest of the stream: it is read
    // first, so the trace and the statistics have every octet.
    readAvailable(true);
    if (m_finished)
        return;
    const QString why = m_end == TcpEnd::OurClose    ? u"we closed the connection"_s
                        : m_end == TcpEnd::PeerReset ? u"the server reset the connection"_s
                        : m_end == TcpEnd::PeerTls
                            ? u"the server ended the TLS session (close_notify)"_s
                            : u"the server closed the connection"_s;
    connectionLost(why, m_end);
}

void ClientSession::onSocketError()
{
    if (!m_socket || m_state == SessionState::Closed)
        return;
    const auto error = m_socket->error();
    const QString text = m_socket->errorString();
    if (m_proxyPending) {
        // Before the tunnel, every socket failure is the proxy leg's. What the proxy said before
        // it closed is read first: its reply may name the failure better.
        const bool reached = bool(m_proxyHandshake);
        if (reached && m_socket->bytesAvailable() > 0)
            onProxyReadyRead();
        if (m_state == SessionState::Closed)
            return;
        if (m_proxyPending) {
            failProxy(!reached ? u"cannot connect to "_s + m_proxy.displayName() + u": "_s + text
                      : error == QAbstractSocket::RemoteHostClosedError
                          ? u"the proxy closed the connection before its reply was complete"_s
                          : u"the connection to the proxy failed: "_s + text);
            return;
        }
    }
    if (!m_tcpConnected) {
        // There never was a TCP connection: refused, unreachable, unknown host.
        recordEvent(TraceEvent::Kind::Error, text);
        m_end = TcpEnd::NoConnection;
        m_socket->abort();
        connectionLost(text, TcpEnd::NoConnection);
        return;
    }
    if (error == QAbstractSocket::RemoteHostClosedError) {
        if (m_end == TcpEnd::Unknown)
            m_end = peerEnd();
        return; // disconnected() follows (from TlsClient once it has read everything, for TLS)
    }
    recordEvent(TraceEvent::Kind::Error, text);
    if (m_socket->state() == QAbstractSocket::UnconnectedState) {
        if (m_end == TcpEnd::Unknown) {
            const TcpEnd kernel = peerEnd();
            m_end = kernel == TcpEnd::PeerReset ? TcpEnd::PeerReset : TcpEnd::SocketError;
        }
        m_socket->abort();
        connectionLost(text, m_end);
    }
}

void ClientSession::connectionLost(const QString &why, TcpEnd end)
{
    if (m_finished)
        return;
    m_finished = true;
    closeWatchFd();
    m_openTimer.stop();
    m_closeTimer.stop();
    m_dropTimer.stop();
    m_drainTimer.stop();
    m_queue.clear(); // items whose turn comes after CLOSED are dropped (docs/sending.md §1.2)
    m_draining = false;
    if (m_parser.hasPartialFrame()) {
        DecodedFrame partial = m_parser.partialFrame();
        FrameRecord r = toRecord(partial, elapsedNs());
        r.incomplete = true;
        record(std::move(r));
    }
    if (!m_steps.isEmpty()) {
        recordEvent(TraceEvent::Kind::Note,
                    QString::number(m_steps.size()) + u" step(s) not run: connection closed"_s);
        m_steps.clear();
    }
    TraceEvent closed;
    closed.timeNs = elapsedNs();
    closed.kind = TraceEvent::Kind::TcpClosed;
    closed.text = why;
    closed.tcpEnd = end;
    record(std::move(closed));
    setState(SessionState::Closed);
    flushBatch();
    Q_EMIT finished();
}

// ---- timers of the cases (docs/sending.md §2) ------------------------------------------------

void ClientSession::closeAfter(double seconds)
{
    recordEvent(TraceEvent::Kind::CloseAfter, {}, seconds);
    QTimer::singleShot(int(seconds * 1000), Qt::PreciseTimer, this, [this] {
        if (m_state == SessionState::Closed)
            return;
        recordEvent(TraceEvent::Kind::ClosingConnection);
        if (m_state == SessionState::Open)
            sendCloseFrame(std::nullopt, {}, false); // empty close; nothing while CLOSING
    });
}

void ClientSession::failAfter(double seconds)
{
    recordEvent(TraceEvent::Kind::FailAfter, {}, seconds);
    QTimer::singleShot(int(seconds * 1000), Qt::PreciseTimer, this, [this] {
        if (m_state == SessionState::Closed)
            return;
        recordEvent(TraceEvent::Kind::FailingConnection);
        fail();
    });
}

void ClientSession::delay(double seconds, const QString &tag, std::function<void()> then)
{
    recordEvent(TraceEvent::Kind::Delay, tag, seconds);
    QTimer::singleShot(int(seconds * 1000), Qt::PreciseTimer, this,
                       [this, tag, then = std::move(then), generation = m_delayGeneration] {
                           if (m_state == SessionState::Closed || generation != m_delayGeneration)
                               return; // closed, or stopped by stopSteps()
                           TraceEvent done;
                           done.timeNs = elapsedNs();
                           done.kind = TraceEvent::Kind::DelayTimeout;
                           done.text = tag;
                           record(std::move(done));
                           if (then)
                               then();
                       });
}

// ---- steps ------------------------------------------------------------------------------------

void ClientSession::queueSteps(const StepList &steps, int run)
{
    m_steps.reserve(m_steps.size() + steps.size());
    for (qsizetype i = 0; i < steps.size(); ++i)
        m_steps.append(PendingStep{steps.at(i), run, int(i)});
}

void ClientSession::runSteps(const StepList &steps, int run)
{
    queueSteps(steps, run);
    if (m_state == SessionState::Open || m_state == SessionState::Closing)
        runNextStep();
}

void ClientSession::stopSteps()
{
    if (m_steps.isEmpty() && !m_waiting)
        return;
    const QString dropped = QString::number(m_steps.size());
    m_steps.clear();
    if (m_waiting) {
        m_waiting = false;
        ++m_delayGeneration; // the running delay's timer ends without a DELAY TIMEOUT
        recordEvent(TraceEvent::Kind::Note,
                    u"steps stopped during a delay: "_s + dropped + u" step(s) not run"_s);
    } else {
        recordEvent(TraceEvent::Kind::Note, u"steps stopped: "_s + dropped + u" step(s) not run"_s);
    }
    if (!m_stepsRunning) // otherwise the loop running the steps ends with it
        Q_EMIT stepsFinished();
}

void ClientSession::runNextStep()
{
    if (m_stepsRunning)
        return; // re-entered from a step's own effects; the outer loop continues
    m_stepsRunning = true;
    bool ranAny = false;
    while (!m_steps.isEmpty() && !m_waiting &&
           (m_state == SessionState::Open || m_state == SessionState::Closing)) {
        const PendingStep next = m_steps.takeFirst();
        const Step &step = next.step;
        ranAny = true;
        Q_EMIT stepStarted(next.run, next.index);
        if (step.kind == Step::Kind::Delay) {
            m_waiting = true;
            delay(step.seconds, step.tag, [this] {
                m_waiting = false;
                if (m_steps.isEmpty())
                    Q_EMIT stepsFinished(); // the delay was the last step
                else
                    runNextStep();
            });
            break;
        }
        executeStep(step);
    }
    m_stepsRunning = false;
    if (ranAny && m_steps.isEmpty() && !m_waiting)
        Q_EMIT stepsFinished();
}

void ClientSession::executeStep(const Step &step)
{
    switch (step.kind) {
    case Step::Kind::Frame:
        if (step.deflate && *step.deflate != DeflateSend::Uncompressed &&
            (*step.deflate != DeflateSend::Agreed || m_deflate.agreed)) {
            // The payload as described, compressed the way asked (docs/deflate.md).
            FrameSpec spec = step.frame;
            spec.payload =
                deflateForSend(txDeflater(), *step.deflate, spec.wirePayload(), m_deflate);
            spec.repeatLength.reset();
            if (deflateSendSetsRsv1(*step.deflate))
                spec.rsv |= kDeflateRsv;
            sendFrame(spec, step.chopDelayMs);
        } else {
            sendFrame(step.frame, step.chopDelayMs);
        }
        break;
    case Step::Kind::Message:
        sendMessage(step.payload, step.binary, step.fragmentSize, step.chopSize, step.sync,
                    step.deflate.value_or(DeflateSend::Agreed));
        break;
    case Step::Kind::Ping:
    case Step::Kind::Pong: {
        FrameSpec spec;
        spec.opcode = quint8(step.kind == Step::Kind::Ping ? Opcode::Ping : Opcode::Pong);
        spec.payload = step.payload;
        spec.chopSize = step.chopSize;
        spec.sync = step.sync;
        sendFrame(spec, step.chopDelayMs);
        break;
    }
    case Step::Kind::Delay:
        break; // handled by runNextStep
    case Step::Kind::Close:
        close(step.closeCode, step.closeReason);
        break;
    case Step::Kind::Fail:
        fail();
        break;
    case Step::Kind::Drop:
        dropTcp();
        break;
    case Step::Kind::HalfClose:
        halfClose();
        break;
    case Step::Kind::CloseAfter:
        closeAfter(step.seconds);
        break;
    case Step::Kind::FailAfter:
        failAfter(step.seconds);
        break;
    case Step::Kind::TimeoutEvent:
        if (m_state == SessionState::Open) {
            if (m_eventHandler)
                m_eventHandler(*this,
                               PeerEvent{PeerEvent::Kind::Timeout, step.tag.toUtf8(), false});
        } else {
            m_steps.clear(); // the case's continuation runs only while OPEN
        }
        break;
    case Step::Kind::FrameHeader:
        sendFrameHeader(step.frame);
        break;
    case Step::Kind::FrameData:
        sendFrameData(step.payload);
        break;
    }
}

void ClientSession::sendFrameHeader(const FrameSpec &spec)
{
    if (!m_socket || !m_handshakeSent || m_state == SessionState::Closed || !canSend("frame"))
        return;
    FrameSpec s = spec;
    s.payload.clear();
    s.repeatLength.reset();
    if (!s.declaredLength)
        s.declaredLength = quint64(spec.repeatLength.value_or(spec.payload.size()));
    if (s.maskMode == MaskMode::Random)
        s.maskKey = QRandomGenerator::global()->generate();
    m_streamMasked = s.writesMaskKey();
    m_streamKey = m_streamMasked ? s.maskKey : 0;
    m_streamOffset = 0;
    const QByteArray bytes = encodeFrame(s);
    m_txOffset += bytes.size();
    writeFrame(bytes, s.chopSize, s.sync, 0);
}

void ClientSession::sendFrameData(const QByteArray &data)
{
    if (!m_socket || !m_handshakeSent || m_state == SessionState::Closed || !canSend("frame data"))
        return;
    QByteArray bytes = data;
    if (m_streamMasked)
        applyMask(bytes.data(), bytes.size(), m_streamKey, m_streamOffset);
    m_streamOffset += data.size();
    m_txOffset += bytes.size();
    writeFrame(bytes, 0, false, 0);
}

void ClientSession::setWireLog(bool enabled, bool marker)
{
    recordEvent(marker ? TraceEvent::Kind::WireLogEnabled : TraceEvent::Kind::WireLogSwitched, {},
                0, enabled);
}

// ---- sending (docs/sending.md §1) -------------------------------------------------------------

void ClientSession::sendFrame(const FrameSpec &spec, int chopDelayMs)
{
    if (!m_socket || !m_handshakeSent || m_state == SessionState::Closed) {
        recordEvent(TraceEvent::Kind::Note, u"frame not sent: not connected"_s);
        return;
    }
    if (!canSend("frame"))
        return;
    const QString invalid = spec.validate();
    if (!invalid.isEmpty()) {
        recordEvent(TraceEvent::Kind::Error, u"frame not sent: "_s + invalid);
        return;
    }
    FrameSpec s = spec;
    if (s.maskMode == MaskMode::Random)
        s.maskKey = QRandomGenerator::global()->generate();
    const QByteArray bytes = encodeFrame(s);

    FrameRecord r = txFrameRecord(s, bytes.size(), elapsedNs(), m_txOffset);
    const FrameJudge::Result judged = m_txJudge.judge(s);
    r.violations = judged.violations | txInflationViolations(s);
    r.utf8ErrorOffset = qint32(std::min<qint64>(judged.utf8ErrorOffset, INT32_MAX));
    record(std::move(r));
    ++m_txFrameCounts[s.opcode];
    m_txOffset += bytes.size();
    writeFrame(bytes, s.chopSize, s.sync, chopDelayMs);
}

Violations ClientSession::txInflationViolations(const FrameSpec &spec)
{
    if (!m_txInflater || isControlOpcode(spec.opcode) || isReservedOpcode(spec.opcode))
        return {};
    if (spec.opcode != quint8(Opcode::Continuation)) {
        m_txCompressed = (spec.rsv & kDeflateRsv) != 0;
        m_txText = spec.opcode == quint8(Opcode::Text);
        m_txInflatedUtf8.reset();
    }
    if (!m_txCompressed)
        return {};
    Violations v;
    QByteArray out;
    Inflater::Status status = m_txInflater->feed(spec.wirePayload(), out);
    if (status == Inflater::Status::Ok && spec.fin)
        status = m_txInflater->finishMessage(out);
    if (status == Inflater::Status::Error) {
        v |= Violation::InflateError;
    } else if (status == Inflater::Status::Ok && m_txText) {
        const auto state = m_txInflatedUtf8.feed(out.constData(), out.size());
        if (state == Utf8Validator::State::Invalid ||
            (spec.fin && state == Utf8Validator::State::Incomplete))
            v |= Violation::InvalidUtf8Text;
    }
    // Past the size limit is the server's judgement to make, not a rule: not named here.
    if (status != Inflater::Status::Ok) {
        // The server's window is lost as ours is: inflate the next message afresh.
        m_txInflater->reset();
        m_txCompressed = false;
    } else if (spec.fin) {
        m_txCompressed = false;
    }
    return v;
}

Deflater &ClientSession::txDeflater()
{
    if (!m_deflater)
        m_deflater = std::make_unique<Deflater>(15, false);
    return *m_deflater;
}

void ClientSession::sendMessage(const QByteArray &message, bool binary, int fragmentSize,
                                int chopSize, bool sync, DeflateSend deflate)
{
    if (m_state != SessionState::Open) {
        recordEvent(TraceEvent::Kind::Note,
                    u"message not sent: the connection is "_s + sessionStateName(m_state));
        return;
    }
    if (!canSend("message"))
        return;
    // permessage-deflate: the whole message compressed first, then fragmented; RSV1 on the
    // first frame only (RFC 7692 §6.1, as in Autobahn).
    if (deflate == DeflateSend::Agreed && !m_deflate.agreed)
        deflate = DeflateSend::Uncompressed;
    const QByteArray payload = deflate == DeflateSend::Uncompressed
                                   ? message
                                   : deflateForSend(txDeflater(), deflate, message, m_deflate);
    const int firstRsv = deflateSendSetsRsv1(deflate) ? kDeflateRsv : 0;
    if (m_deflate.agreed) {
        m_deflateCounts.txWireOctets += payload.size();
        m_deflateCounts.txAppOctets += message.size();
        if (firstRsv)
            ++m_deflateCounts.txCompressedMessages;
    }
    FrameSpec spec;
    spec.chopSize = chopSize;
    spec.sync = sync;
    if (fragmentSize <= 0 || payload.size() <= fragmentSize) {
        spec.opcode = quint8(binary ? Opcode::Binary : Opcode::Text);
        spec.payload = payload;
        spec.rsv = firstRsv;
        sendFrame(spec);
        return;
    }
    // Fragments of fragmentSize; when the length is an exact multiple, the last full fragment
    // keeps FIN clear and an empty final continuation follows (the reference's quirk,
    // docs/sending.md §1.3).
    qsizetype pos = 0;
    bool first = true;
    while (pos < payload.size()) {
        const qsizetype n = std::min<qsizetype>(fragmentSize, payload.size() - pos);
        spec.opcode = quint8(!first   ? Opcode::Continuation
                             : binary ? Opcode::Binary
                                      : Opcode::Text);
        spec.payload = payload.mid(pos, n);
        spec.rsv = first ? firstRsv : 0;
        pos += n;
        spec.fin = pos < payload.size() ? false : n < fragmentSize;
        sendFrame(spec);
        first = false;
    }
    if (payload.size() % fragmentSize == 0) {
        spec.opcode = quint8(Opcode::Continuation);
        spec.rsv = 0;
        spec.payload.clear();
        spec.fin = true;
        sendFrame(spec);
    }
}

void ClientSession::writeFrame(QByteArray bytes, int chopSize, bool sync, int chopDelayMs)
{
    if (chopSize > 0) {
        for (qsizetype pos = 0; pos < bytes.size(); pos += chopSize)
            m_queue.push_back({bytes.mid(pos, chopSize), true, chopDelayMs, false});
        triggerQueue();
    } else if (sync) {
        m_queue.push_back({std::move(bytes), true, chopDelayMs, false});
        triggerQueue();
    } else if (m_queue.empty()) {
        writeDirect(bytes, false);
    } else {
        m_queue.push_back({std::move(bytes), false, 0, false});
    }
}

void ClientSession::triggerQueue()
{
    if (m_draining)
        return;
    m_draining = true;
    drainQueue(); // the first queued item goes out in the same call
}

void ClientSession::drainQueue()
{
    if (m_queue.empty() || m_state == SessionState::Closed) {
        m_queue.clear();
        m_draining = false;
        return;
    }
    // Queued writes leave at least 10 µs apart, each in a reactor turn of its own
    // (docs/sending.md §1.2).
    if (m_lastQueuedWriteNs >= 0 && elapsedNs() - m_lastQueuedWriteNs < kQueuedWriteGapNs) {
        m_drainTimer.start(0);
        return;
    }
    m_lastQueuedWriteNs = elapsedNs();
    QueueItem item = std::move(m_queue.front());
    m_queue.pop_front();
    if (item.halfClose)
        doHalfClose();
    else
        writeDirect(item.bytes, item.sync);
    // The next item in a later event-loop turn (or after the chosen pause between chops).
    m_drainTimer.start(item.delayAfterMs);
}

void ClientSession::writeDirect(const QByteArray &bytes, bool sync)
{
    if (!m_socket || m_state == SessionState::Closed || bytes.isEmpty())
        return;
    if (m_tlsClient)
        m_tlsClient->write(bytes); // encrypted and handed to the socket at once
    else
        m_socket->write(bytes);
    if (sync)
        m_socket->flush();
    m_handshakeSent = true;
    OctetChunk chunk;
    chunk.timeNs = elapsedNs();
    chunk.streamOffset = m_txWritten;
    chunk.size = bytes.size();
    chunk.data = bytes;
    chunk.direction = Direction::Tx;
    chunk.sync = sync;
    m_txWritten += bytes.size();
    record(std::move(chunk));
}

// ---- SessionHost ------------------------------------------------------------------------------

SessionHost::SessionHost(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<wsi::TraceBatchPtr>();
    qRegisterMetaType<wsi::SessionSettings>();
    qRegisterMetaType<wsi::StepList>();
    qRegisterMetaType<wsi::SessionState>();
    m_thread = new QThread(this);
    m_thread->setObjectName(u"wsi-session"_s);
    m_session = new ClientSession;
    m_session->moveToThread(m_thread);
    // finished() is emitted in the session's thread as it ends: the session (and its TLS
    // layer) is deleted there, then OpenSSL's state of that thread, all before wait() returns.
    // The mutex, taken again by the destructor after wait(), orders all of it before the rest
    // of the destructor for ThreadSanitizer too (QThread::wait() synchronises inside Qt).
    connect(
        m_thread, &QThread::finished, m_thread,
        [this, session = m_session] {
            delete session;
            TlsClient::releaseThreadState();
            const std::lock_guard lock(m_mailMutex);
            m_sessionGone = true;
        },
        Qt::DirectConnection);
    // The session's signals are forwarded from its thread (direct connections, run there as it
    // emits) and emitted again by the host in its own.
    connect(
        m_session, &ClientSession::traceBatch, m_session,
        [this](const TraceBatchPtr &batch) {
            forward([batch](SessionHost &host) { Q_EMIT host.traceBatch(batch); });
        },
        Qt::DirectConnection);
    connect(
        m_session, &ClientSession::stateChanged, m_session,
        [this](SessionState state) {
            forward([state](SessionHost &host) { Q_EMIT host.stateChanged(state); });
        },
        Qt::DirectConnection);
    connect(
        m_session, &ClientSession::stepStarted, m_session,
        [this](int run, int index) {
            forward([run, index](SessionHost &host) { Q_EMIT host.stepStarted(run, index); });
        },
        Qt::DirectConnection);
    connect(
        m_session, &ClientSession::stepsFinished, m_session,
        [this] { forward([](SessionHost &host) { Q_EMIT host.stepsFinished(); }); },
        Qt::DirectConnection);
    connect(
        m_session, &ClientSession::finished, m_session,
        [this] { forward([](SessionHost &host) { Q_EMIT host.finished(); }); },
        Qt::DirectConnection);
    m_thread->start();
}

SessionHost::~SessionHost()
{
    {
        const std::lock_guard lock(m_mailMutex);
        m_closing = true;
    }
    m_thread->quit();
    m_thread->wait();
    const std::lock_guard lock(m_mailMutex);
    Q_ASSERT(m_sessionGone);
    m_mail.clear(); // what was not delivered yet: its queued calls go with this object
}

void SessionHost::forward(Delivery delivery)
{
    // One queued call per signal: the host's thread sees them in order, each as its own event,
    // as with a queued connection. The destructor waits for this thread, so `this` is alive.
    const std::lock_guard lock(m_mailMutex);
    if (m_closing)
        return;
    m_mail.push_back(std::move(delivery));
    QMetaObject::invokeMethod(this, "deliverOne", Qt::QueuedConnection);
}

void SessionHost::deliverOne()
{
    Delivery delivery;
    {
        const std::lock_guard lock(m_mailMutex);
        if (m_mail.empty())
            return;
        delivery = std::move(m_mail.front());
        m_mail.pop_front();
    }
    delivery(*this); // a receiver may delete the host: nothing of it is touched after this
}

void SessionHost::invoke(std::function<void(ClientSession &)> fn)
{
    m_session->post(std::move(fn));
}

void SessionHost::start(const SessionSettings &settings, const StepList &steps)
{
    invoke([settings, steps](ClientSession &s) { s.start(settings, steps); });
}

void SessionHost::runSteps(const StepList &steps, int run)
{
    invoke([steps, run](ClientSession &s) { s.runSteps(steps, run); });
}

void SessionHost::stopSteps()
{
    invoke([](ClientSession &s) { s.stopSteps(); });
}

} // namespace wsi
