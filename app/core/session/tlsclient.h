// SPDX-License-Identifier: MIT
#pragma once

#include "session/tlsoptions.h"
#include "trace/trace.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSslCertificate>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

QT_BEGIN_NAMESPACE
class QFile;
class QTcpSocket;
QT_END_NAMESPACE

// OpenSSL's types, so that this header does not pull in <openssl/ssl.h>.
struct ssl_st;
struct ssl_ctx_st;
struct bio_st;
struct x509_store_ctx_st;

namespace wsi {

// The client side of TLS over a connected QTcpSocket, done with OpenSSL through a pair of memory
// BIOs. It exists because QSslSocket neither answers the server's close_notify nor sends its own
// once the server has sent one, so a server that waits for the client's close_notify before
// closing TCP (RFC 5246 §7.2.1; Python's ssl module, Boost.Beast) never closes.
//
// The TCP socket stays the owner's: the owner connects it, may query its addresses, and decides
// when to close it. TlsClient reads the socket's ciphertext, writes records to it and limits its
// read buffer so that nothing grows without bound when the owner does not read.
class TlsClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TlsClient)

public:
    struct Options
    {
        // Complete the handshake even when the certificate does not verify (the errors are still
        // reported through certificateErrors()).
        bool ignoreCertificateErrors = false;
        // PEM data (one or more certificates each) trusted in addition to the system's store.
        QList<QByteArray> extraCaPem;
        // Answer the server's close_notify with ours at once (RFC 5246 §7.2.1 requires it;
        // RFC 8446 §6.1 allows a half-close, which the owner then ends with sendCloseNotify()).
        bool answerCloseNotify = true;
        // Client certificate, SNI, ALPN, version, key log (docs/tls.md §4).
        TlsOptions tls;
    };

    enum class State {
        Idle,        // startClient() not called yet
        Handshaking, // ClientHello sent, waiting for the server
        Encrypted,   // handshake done; data flows until close_notify or TCP end
        Failed,      // handshake failed or a TLS error after it; nothing more is read
    };

    // Bounds on what is held in memory: decrypted octets not yet read by the owner, ciphertext
    // waiting in the OpenSSL input BIO, and the TCP socket's read buffer.
    static constexpr qint64 kMaxBufferedPlaintext = 256 * 1024;
    static constexpr qint64 kMaxPendingCiphertext = 64 * 1024;
    static constexpr qint64 kTcpReadBufferSize = 256 * 1024;

    explicit TlsClient(QObject *parent = nullptr);
    ~TlsClient() override;

    // Frees what OpenSSL keeps for the calling thread (its error queue, random generators).
    // OpenSSL does it itself when the thread exits, but only after QThread::wait() has returned;
    // a thread that used TLS calls this at its end so nothing is left behind at that moment.
    static void releaseThreadState();

    // What would make startClient() fail before its ClientHello, in words, checked without a
    // connection so that a user is told before connecting: a certificate or key file missing or
    // unreadable, no PEM in it, an encrypted key, a key that does not belong to the
    // certificate, a key without a certificate, a bad ALPN name, a key log that cannot be
    // opened (it is created, 0600, when missing). Empty when none.
    [[nodiscard]] static QString checkOptions(const TlsOptions &options);

    // Starts the handshake on `tcp`, which must be connected and is not taken over. `hostName` is
    // sent as SNI (unless it is an IP address, or options.tls.sni says otherwise) and checked
    // against the certificate (DNS name or IP address; a name from options.tls.sni instead);
    // empty skips the name check. Called once.
    void startClient(QTcpSocket *tcp, const QString &hostName, const Options &options);

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] bool isEncrypted() const { return m_state == State::Encrypted; }

    // Decrypted octets from the server, in order.
    [[nodiscard]] qint64 bytesAvailable() const { return m_plain.size() - m_plainPos; }
    qint64 read(char *data, qint64 maxSize);
    QByteArray readAll();
    // Encrypts and hands the records to the TCP socket at once. Returns the plaintext octets
    // accepted (all of them), or -1 when not encrypted, after our close_notify, or on a TLS error.
    qint64 write(const char *data, qint64 size);
    qint64 write(const QByteArray &data) { return write(data.constData(), data.size()); }
    // Sends our close_notify (once; only while encrypted) and keeps reading until the server's.
    void sendCloseNotify();

    [[nodiscard]] bool hasSentCloseNotify() const { return m_closeNotifySent; }
    [[nodiscard]] bool hasReceivedCloseNotify() const { return m_closeNotifyReceived; }
    // TCP ended after the handshake with neither the server's close_notify nor a TLS error: the
    // server's data may have been cut off (a truncation, RFC 8446 §6.1).
    [[nodiscard]] bool isTruncated() const { return m_truncated; }
    [[nodiscard]] bool tcpEnded() const { return m_tcpEnded; }
    // How TCP ended, in words ("TCP closed without close_notify", …); empty while it has not.
    [[nodiscard]] QString disconnectReason() const { return m_disconnectReason; }
    // The last failure (handshake or TLS error), as signalled.
    [[nodiscard]] QString errorString() const { return m_errorString; }
    // Every certificate verification error, as QSslError::errorString() words it.
    [[nodiscard]] QStringList certificateErrorList() const { return m_certErrors; }
    // Octets the server sent after its close_notify or after a TLS error: counted, not decrypted.
    [[nodiscard]] qint64 discardedOctets() const { return m_discarded; }

    [[nodiscard]] QString protocolName() const; // "TLSv1.3"
    [[nodiscard]] QString cipherName() const;   // "TLS_AES_256_GCM_SHA384"
    [[nodiscard]] QSslCertificate peerCertificate() const;
    [[nodiscard]] QString peerCertificateSubject() const; // RFC 2253: "CN=localhost"
    // What the handshake established: protocol, cipher, the peer's chain as it sent it (leaf
    // first, each with its SHA-256 fingerprint), the certificate errors and whether they were
    // ignored, the server name sent, the ALPN protocols offered and the one selected, the
    // certificate we presented, the version asked. Empty protocol and cipher until encrypted.
    [[nodiscard]] TlsInfo sessionInfo() const;

Q_SIGNALS:
    // After the certificate has been verified and before encrypted() or handshakeFailed():
    // only when there are errors.
    void certificateErrors(const QStringList &errors);
    void encrypted();
    // "TLS handshake failed: <reason>"; the TLS session is over, the owner closes TCP.
    void handshakeFailed(const QString &reason);
    void readyRead();
    // The server closed its side of the TLS session; everything it sent before is readable.
    void closeNotifyReceived();
    // Our close_notify went to the TCP socket (asked for, or answering the server's).
    void closeNotifySent();
    // "TLS error: <reason>" after the handshake (bad record MAC, a fatal alert, …). The session is
    // over; any alert OpenSSL sends in reply has been written; the owner closes TCP.
    void error(const QString &message);
    // The TCP socket disconnected and every octet before it has been processed (readyRead,
    // closeNotifyReceived and failures come first). See isTruncated() and disconnectReason().
    void disconnected();

private:
    enum class Event {
        CertificateErrors,
        Encrypted,
        HandshakeFailed,
        ReadyRead,
        CloseNotifyReceived,
        CloseNotifySent,
        Error,
        Disconnected
    };
    struct PendingEvent
    {
        Event event;
        QString text;
    };

    void process();
    void emitPending();
    void scheduleProcess();
    bool feedFromTcp();
    bool stepHandshake();
    bool decrypt(bool unbounded);
    void discardTcpInput();
    void flushToTcp();
    void fail(bool inHandshake, const QString &reason);
    void finishTcpEnd();
    void queue(Event e, const QString &text = {}) { m_events.push_back({e, text}); }

    void recordCertificateError(int code);
    static int verifyEachCertificate(int ok, x509_store_ctx_st *store);
    static int verifyChain(x509_store_ctx_st *store, void *self);
    static int certificateRequested(ssl_st *ssl, void *self);
    static void keyLogLine(const ssl_st *ssl, const char *line);
    [[nodiscard]] QString configure(const QString &hostName);
    [[nodiscard]] QString explainAlert(const QString &reason) const;

    QPointer<QTcpSocket> m_tcp;
    Options m_options;
    ssl_ctx_st *m_ctx = nullptr;
    ssl_st *m_ssl = nullptr;
    bio_st *m_in = nullptr;  // ciphertext from the server, owned by m_ssl
    bio_st *m_out = nullptr; // ciphertext to the server, owned by m_ssl
    State m_state = State::Idle;
    QByteArray m_plain;
    qsizetype m_plainPos = 0;
    std::vector<PendingEvent> m_events;
    QStringList m_certErrors;
    int m_firstCertError = 0; // X509_V_OK
    QString m_errorString;
    QString m_disconnectReason;
    QString m_sni;           // the server name sent; empty: none
    QString m_clientSubject; // our certificate's subject; empty: none configured
    std::unique_ptr<QFile> m_keyLog;
    bool m_certRequested = false; // the server sent a CertificateRequest
    qint64 m_discarded = 0;
    bool m_closeNotifySent = false;
    bool m_closeNotifyReceived = false;
    bool m_truncated = false;
    bool m_tcpEnded = false;
    bool m_disconnectQueued = false;
    bool m_processing = false;
    bool m_processQueued = false;
};

} // namespace wsi
