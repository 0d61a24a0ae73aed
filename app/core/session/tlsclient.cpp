// SPDX-License-Identifier: MIT
#include "session/tlsclient.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QHostAddress>
#include <QScopeGuard>
#include <QSslError>
#include <QTcpSocket>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {

// The verification errors QSslSocket knows by name, so the texts read as they did with it.
QSslError::SslError toQSslError(int code)
{
    switch (code) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        return QSslError::UnableToGetIssuerCertificate;
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
        return QSslError::UnableToDecryptCertificateSignature;
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
        return QSslError::UnableToDecodeIssuerPublicKey;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        return QSslError::CertificateSignatureFailed;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return QSslError::CertificateNotYetValid;
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return QSslError::CertificateExpired;
    case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
        return QSslError::InvalidNotBeforeField;
    case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
        return QSslError::InvalidNotAfterField;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        return QSslError::SelfSignedCertificate;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        return QSslError::SelfSignedCertificateInChain;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        return QSslError::UnableToGetLocalIssuerCertificate;
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return QSslError::UnableToVerifyFirstCertificate;
    case X509_V_ERR_CERT_REVOKED:
        return QSslError::CertificateRevoked;
    case X509_V_ERR_INVALID_CA:
        return QSslError::InvalidCaCertificate;
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
        return QSslError::PathLengthExceeded;
    case X509_V_ERR_INVALID_PURPOSE:
        return QSslError::InvalidPurpose;
    case X509_V_ERR_CERT_UNTRUSTED:
        return QSslError::CertificateUntrusted;
    case X509_V_ERR_CERT_REJECTED:
        return QSslError::CertificateRejected;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return QSslError::HostNameMismatch;
    default:
        return QSslError::UnspecifiedError;
    }
}

QString certificateErrorText(int code)
{
    const QSslError::SslError known = toQSslError(code);
    if (known != QSslError::UnspecifiedError)
        return QSslError(known).errorString();
    return QString::fromLatin1(X509_verify_cert_error_string(code));
}

// An alert's name as RFC 8446 §6 (and RFC 5246 §7.2 for those TLS 1.3 dropped) spell it; OpenSSL
// 3.0 knows the TLS 1.3 ones only as "unknown".
QString alertName(int number)
{
    static const std::pair<int, const char *> names[] = {
        {0, "close_notify"},
        {10, "unexpected_message"},
        {20, "bad_record_mac"},
        {21, "decryption_failed"},
        {22, "record_overflow"},
        {30, "decompression_failure"},
        {40, "handshake_failure"},
        {41, "no_certificate"},
        {42, "bad_certificate"},
        {43, "unsupported_certificate"},
        {44, "certificate_revoked"},
        {45, "certificate_expired"},
        {46, "certificate_unknown"},
        {47, "illegal_parameter"},
        {48, "unknown_ca"},
        {49, "access_denied"},
        {50, "decode_error"},
        {51, "decrypt_error"},
        {60, "export_restriction"},
        {70, "protocol_version"},
        {71, "insufficient_security"},
        {80, "internal_error"},
        {86, "inappropriate_fallback"},
        {90, "user_canceled"},
        {100, "no_renegotiation"},
        {109, "missing_extension"},
        {110, "unsupported_extension"},
        {111, "certificate_unobtainable"},
        {112, "unrecognized_name"},
        {113, "bad_certificate_status_response"},
        {114, "bad_certificate_hash_value"},
        {115, "unknown_psk_identity"},
        {116, "certificate_required"},
        {120, "no_application_protocol"},
    };
    for (const auto &[n, name] : names) {
        if (n == number)
            return QString::fromLatin1(name);
    }
    return u"unknown"_s;
}

// OpenSSL's error queue of this thread, in words, emptied. The reasons are short phrases
// ("wrong version number", "the server sent alert 48 (unknown_ca)"); repeats are dropped.
QString takeOpenSslErrors()
{
    QStringList reasons;
    while (const unsigned long code = ERR_get_error()) {
        const char *reason = ERR_reason_error_string(code);
        const int number = ERR_GET_REASON(code) - SSL_AD_REASON_OFFSET;
        // A received alert by its number and RFC name (RFC 8446 §6): "tlsv13 alert certificate
        // required" tells less than "alert 116 (certificate_required)".
        const bool alert = ERR_GET_LIB(code) == ERR_LIB_SSL && number >= 0 && number < 256;
        const QString text =
            alert    ? u"the server sent alert %1 (%2)"_s.arg(number).arg(alertName(number))
            : reason ? QString::fromLatin1(reason)
                     : u"error %1"_s.arg(ERR_GET_REASON(code));
        if (!reasons.contains(text))
            reasons.append(text);
    }
    return reasons.join(u"; "_s);
}

QByteArray takeBio(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? QByteArray(data, qsizetype(size)) : QByteArray();
}

// An X.509 name in RFC 2253 form ("CN=localhost,O=Example").
QString nameText(const X509_NAME *name)
{
    BIO *bio = name ? BIO_new(BIO_s_mem()) : nullptr;
    if (!bio)
        return {};
    QString text;
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0)
        text = QString::fromUtf8(takeBio(bio));
    BIO_free(bio);
    return text;
}

QDateTime utcTime(const ASN1_TIME *time)
{
    struct tm tm = {};
    if (!time || ASN1_TIME_to_tm(time, &tm) != 1)
        return {};
    return QDateTime(QDate(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday),
                     QTime(tm.tm_hour, tm.tm_min, tm.tm_sec), Qt::UTC);
}

TlsCertificateInfo certificateInfo(X509 *cert)
{
    TlsCertificateInfo info;
    info.subject = nameText(X509_get_subject_name(cert));
    info.issuer = nameText(X509_get_issuer_name(cert));
    info.notBefore = utcTime(X509_get0_notBefore(cert));
    info.notAfter = utcTime(X509_get0_notAfter(cert));
    const int size = i2d_X509(cert, nullptr);
    if (size > 0) {
        QByteArray der(size, Qt::Uninitialized);
        auto *out = reinterpret_cast<unsigned char *>(der.data());
        if (i2d_X509(cert, &out) == size)
            info.sha256 = QString::fromLatin1(
                QCryptographicHash::hash(der, QCryptographicHash::Sha256).toHex(':').toUpper());
    }
    return info;
}

// A file's contents for the TLS options, or the reason it cannot be had. Certificates and keys
// are small; anything past 1 MiB is not one.
QString readSmallFile(const QString &path, const QString &what, QByteArray &out)
{
    QFile file(path);
    if (!file.exists())
        return what + u" file not found: "_s + path;
    if (!file.open(QIODevice::ReadOnly))
        return u"cannot read the "_s + what + u" file "_s + path + u": "_s + file.errorString();
    out = file.read(1024 * 1024);
    return {};
}

int noPassword(char *, int, int, void *)
{
    return 0;
}

// The client certificate (leaf first, then intermediates) and its key from the options' PEM
// files, set on `ssl`, or why they cannot be.
QString useClientCredentials(SSL *ssl, const TlsOptions &options)
{
    if (options.clientCertFile.isEmpty()) {
        return options.clientKeyFile.isEmpty()
                   ? QString()
                   : u"a client key was given without a client certificate"_s;
    }
    QByteArray certPem;
    if (QString error = readSmallFile(options.clientCertFile, u"client certificate"_s, certPem);
        !error.isEmpty())
        return error;
    const QString keyFile =
        options.clientKeyFile.isEmpty() ? options.clientCertFile : options.clientKeyFile;
    QByteArray keyPem = certPem;
    if (keyFile != options.clientCertFile) {
        if (QString error = readSmallFile(keyFile, u"client key"_s, keyPem); !error.isEmpty())
            return error;
    }

    std::vector<X509 *> certs;
    EVP_PKEY *key = nullptr;
    const auto freeAll = qScopeGuard([&] {
        for (X509 *c : certs)
            X509_free(c);
        EVP_PKEY_free(key);
    });
    if (BIO *bio = BIO_new_mem_buf(certPem.constData(), int(certPem.size()))) {
        while (X509 *cert = PEM_read_bio_X509(bio, nullptr, noPassword, nullptr))
            certs.push_back(cert);
        BIO_free(bio);
    }
    ERR_clear_error(); // the end of the PEM data leaves a "no start line" error
    if (certs.empty())
        return u"the client certificate file "_s + options.clientCertFile +
               u" has no PEM certificate"_s;
    // PKCS#8 ("ENCRYPTED PRIVATE KEY") and the traditional form ("Proc-Type: 4,ENCRYPTED"):
    // named, since a pass phrase on a command line would be visible to every local user.
    if (keyPem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") ||
        keyPem.contains("Proc-Type: 4,ENCRYPTED"))
        return u"the client key "_s + keyFile +
               u" is encrypted: not supported (write it unencrypted with openssl pkey)"_s;
    if (BIO *bio = BIO_new_mem_buf(keyPem.constData(), int(keyPem.size()))) {
        key = PEM_read_bio_PrivateKey(bio, nullptr, noPassword, nullptr);
        BIO_free(bio);
    }
    ERR_clear_error();
    if (!key)
        return keyFile == options.clientCertFile
                   ? u"the client certificate file "_s + keyFile +
                         u" has no PEM private key, and no key file was given"_s
                   : u"the client key file "_s + keyFile + u" has no PEM private key"_s;
    if (X509_check_private_key(certs.front(), key) != 1) {
        ERR_clear_error();
        return u"the client key "_s + keyFile + u" does not belong to the certificate in "_s +
               options.clientCertFile + u" ("_s + nameText(X509_get_subject_name(certs.front())) +
               u')';
    }
    if (SSL_use_certificate(ssl, certs.front()) != 1 || SSL_use_PrivateKey(ssl, key) != 1)
        return u"cannot use the client certificate: "_s + takeOpenSslErrors();
    for (size_t i = 1; i < certs.size(); ++i) {
        if (SSL_add1_chain_cert(ssl, certs[i]) != 1)
            return u"cannot use the client certificate's chain: "_s + takeOpenSslErrors();
    }
    return {};
}

// ALPN's wire form (RFC 7301 §3.1): each name prefixed by its length.
QString alpnWireFormat(const QStringList &protocols, QByteArray &out)
{
    out.clear();
    for (const QString &protocol : protocols) {
        const QByteArray name = protocol.toUtf8();
        if (name.isEmpty() || name.size() > 255)
            return u"an ALPN protocol name must have 1 to 255 octets, got '"_s + protocol + u'\'';
        out += char(name.size());
        out += name;
    }
    return {};
}

// The key log, appended to (several connections may share one file: each line goes out in one
// write); created readable by the user alone, since the secrets decrypt the traffic.
QString openKeyLog(const QString &path, QFile &file)
{
    file.setFileName(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered,
                   QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return u"cannot open the key log "_s + path + u": "_s + file.errorString();
    return {};
}

QString versionName(TlsOptions::Version version)
{
    switch (version) {
    case TlsOptions::Version::Tls12:
        return u"TLSv1.2"_s;
    case TlsOptions::Version::Tls13:
        return u"TLSv1.3"_s;
    case TlsOptions::Version::Any:
        break;
    }
    return {};
}

} // namespace

QString TlsClient::checkOptions(const TlsOptions &options)
{
    QByteArray wire;
    if (QString error = alpnWireFormat(options.alpn, wire); !error.isEmpty())
        return error;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = ctx ? SSL_new(ctx) : nullptr;
    const QString error = ssl ? useClientCredentials(ssl, options)
                              : u"cannot set up OpenSSL: "_s + takeOpenSslErrors();
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    if (!error.isEmpty())
        return error;
    if (!options.keyLogFile.isEmpty()) {
        QFile file;
        return openKeyLog(options.keyLogFile, file);
    }
    return {};
}

TlsClient::TlsClient(QObject *parent) : QObject(parent) {}

TlsClient::~TlsClient()
{
    SSL_free(m_ssl); // frees both BIOs
    SSL_CTX_free(m_ctx);
}

void TlsClient::releaseThreadState()
{
    OPENSSL_thread_stop();
}

void TlsClient::startClient(QTcpSocket *tcp, const QString &hostName, const Options &options)
{
    if (m_state != State::Idle || !tcp)
        return;
    m_tcp = tcp;
    m_options = options;
    m_state = State::Handshaking;
    ERR_clear_error();

    // One context per connection: the verification callback's argument and the trusted
    // certificates belong to this connection's options.
    m_ctx = SSL_CTX_new(TLS_client_method());
    m_ssl = m_ctx ? SSL_new(m_ctx) : nullptr;
    m_in = BIO_new(BIO_s_mem());
    m_out = BIO_new(BIO_s_mem());
    if (!m_ctx || !m_ssl || !m_in || !m_out) {
        BIO_free(m_in);
        BIO_free(m_out);
        m_in = m_out = nullptr;
        fail(true, u"cannot set up OpenSSL: "_s + takeOpenSslErrors());
        emitPending();
        return;
    }
    SSL_set_bio(m_ssl, m_in, m_out);
    // A renegotiation would make a write wait for a read; no WebSocket server needs one.
    SSL_set_options(m_ssl, SSL_OP_NO_RENEGOTIATION);
    SSL_set_mode(m_ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_set_app_data(m_ssl, this);

    SSL_CTX_set_default_verify_paths(m_ctx);
    X509_STORE *store = SSL_CTX_get_cert_store(m_ctx);
    for (const QByteArray &pem : options.extraCaPem) {
        BIO *bio = BIO_new_mem_buf(pem.constData(), int(pem.size()));
        if (!bio)
            continue;
        while (X509 *cert = PEM_read_bio_X509(bio, nullptr, noPassword, nullptr)) {
            X509_STORE_add_cert(store, cert);
            X509_free(cert);
        }
        BIO_free(bio);
    }
    ERR_clear_error(); // the end of each PEM buffer leaves a "no start line" error

    // Every certificate error is collected (verifyEachCertificate accepts them all), then
    // verifyChain decides once, so that the owner sees the whole list (like QSslSocket's
    // sslErrors) and OpenSSL sends the server the matching alert when we refuse.
    SSL_set_verify(m_ssl, SSL_VERIFY_PEER, &TlsClient::verifyEachCertificate);
    SSL_CTX_set_cert_verify_callback(m_ctx, &TlsClient::verifyChain, this);

    if (const QString error = configure(hostName); !error.isEmpty()) {
        fail(true, error); // before the ClientHello: nothing went to the server
        emitPending();
        return;
    }
    SSL_set_connect_state(m_ssl);

    tcp->setReadBufferSize(kTcpReadBufferSize);
    m_tcpEnded = tcp->state() == QAbstractSocket::UnconnectedState;
    connect(tcp, &QTcpSocket::readyRead, this, &TlsClient::process);
    connect(tcp, &QTcpSocket::disconnected, this, [this] {
        m_tcpEnded = true;
        process();
    });
    process(); // sends the ClientHello; octets already buffered are read too
}

// The options that shape the ClientHello and what we answer with. The reason when one cannot
// be used.
QString TlsClient::configure(const QString &hostName)
{
    const TlsOptions &tls = m_options.tls;
    // TLS 1.2 at least in any case (RFC 8996 deprecates 1.0 and 1.1); min = max for one version.
    const int min = tls.version == TlsOptions::Version::Tls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
    const int max = tls.version == TlsOptions::Version::Tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    SSL_set_min_proto_version(m_ssl, min);
    SSL_set_max_proto_version(m_ssl, max);

    // On the connection, not the context: SSL_new() has already copied the context's.
    if (QString error = useClientCredentials(m_ssl, tls); !error.isEmpty())
        return error;
    if (X509 *own = SSL_get_certificate(m_ssl))
        m_clientSubject = nameText(X509_get_subject_name(own));
    // Called when the server asks for a certificate: whether ours was presented.
    SSL_set_cert_cb(m_ssl, &TlsClient::certificateRequested, this);

    QByteArray alpn;
    if (QString error = alpnWireFormat(tls.alpn, alpn); !error.isEmpty())
        return error;
    if (!alpn.isEmpty() &&
        SSL_set_alpn_protos(m_ssl, reinterpret_cast<const unsigned char *>(alpn.constData()),
                            unsigned(alpn.size())) != 0)
        return u"cannot offer ALPN: "_s + takeOpenSslErrors();

    if (!tls.keyLogFile.isEmpty()) {
        m_keyLog = std::make_unique<QFile>();
        if (QString error = openKeyLog(tls.keyLogFile, *m_keyLog); !error.isEmpty())
            return error;
        SSL_CTX_set_keylog_callback(m_ctx, &TlsClient::keyLogLine);
    }

    // The name checked against the certificate: the one given as SNI, else the URL's host.
    const QString checked = tls.sni && !tls.sni->isEmpty() ? *tls.sni : hostName;
    const QByteArray host = checked.toUtf8();
    if (!host.isEmpty()) {
        if (!QHostAddress(checked).isNull()) {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(m_ssl), host.constData());
        } else {
            SSL_set_hostflags(m_ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            SSL_set1_host(m_ssl, host.constData());
        }
    }
    // RFC 6066 §3: a host name, never an address literal, unless the user sends one on purpose.
    m_sni = tls.sni ? *tls.sni : QHostAddress(hostName).isNull() ? hostName : QString();
    if (!m_sni.isEmpty() && SSL_set_tlsext_host_name(m_ssl, m_sni.toUtf8().constData()) != 1)
        return u"cannot send the server name '"_s + m_sni + u"': "_s + takeOpenSslErrors();
    ERR_clear_error();
    return {};
}

int TlsClient::certificateRequested(ssl_st *, void *arg)
{
    static_cast<TlsClient *>(arg)->m_certRequested = true;
    return 1; // go on, with our certificate if there is one
}

void TlsClient::keyLogLine(const ssl_st *ssl, const char *line)
{
    auto *self = static_cast<TlsClient *>(SSL_get_app_data(ssl));
    if (!self || !self->m_keyLog)
        return;
    // One write a line, flushed at once (the file is unbuffered): Wireshark may read it live.
    QByteArray text(line);
    text += '\n';
    self->m_keyLog->write(text);
}

// A failure's reason with what the alert means for the client certificate: a server that
// demands one sends certificate_required (116, TLS 1.3) or handshake_failure (40, TLS 1.2).
QString TlsClient::explainAlert(const QString &reason) const
{
    if (!m_certRequested)
        return reason;
    if (m_clientSubject.isEmpty() &&
        (reason.contains(u"alert 116 "_s) || reason.contains(u"alert 40 "_s)))
        return reason + u": the server requires a client certificate and none was given"_s;
    static const QStringList certificateAlerts{u"alert 42 "_s, u"alert 43 "_s, u"alert 44 "_s,
                                               u"alert 45 "_s, u"alert 46 "_s, u"alert 48 "_s};
    for (const QString &alert : certificateAlerts) {
        if (!m_clientSubject.isEmpty() && reason.contains(alert))
            return reason + u": the server refused our client certificate ("_s + m_clientSubject +
                   u')';
    }
    return reason;
}

qint64 TlsClient::read(char *data, qint64 maxSize)
{
    const qint64 n = std::min(maxSize, bytesAvailable());
    if (n <= 0)
        return 0;
    memcpy(data, m_plain.constData() + m_plainPos, size_t(n));
    m_plainPos += n;
    if (m_plainPos == m_plain.size()) {
        m_plain.clear();
        m_plainPos = 0;
    }
    scheduleProcess(); // room again: more may be waiting in the socket
    return n;
}

QByteArray TlsClient::readAll()
{
    QByteArray all = m_plainPos == 0 ? std::exchange(m_plain, {}) : m_plain.mid(m_plainPos);
    m_plain.clear();
    m_plainPos = 0;
    if (!all.isEmpty())
        scheduleProcess();
    return all;
}

qint64 TlsClient::write(const char *data, qint64 size)
{
    if (m_state != State::Encrypted || m_closeNotifySent || !m_tcp || size < 0)
        return -1;
    qint64 done = 0;
    while (done < size) {
        size_t n = 0;
        ERR_clear_error();
        const size_t chunk = size_t(std::min<qint64>(size - done, 1 << 20));
        if (SSL_write_ex(m_ssl, data + done, chunk, &n) != 1) {
            fail(false, takeOpenSslErrors());
            flushToTcp();
            // Signals are not emitted inside a call from the owner; they follow from the loop.
            QMetaObject::invokeMethod(this, &TlsClient::emitPending, Qt::QueuedConnection);
            return -1;
        }
        done += qint64(n);
    }
    flushToTcp();
    return done;
}

void TlsClient::sendCloseNotify()
{
    if (m_state != State::Encrypted || m_closeNotifySent)
        return;
    ERR_clear_error();
    SSL_shutdown(m_ssl); // 0: ours sent, theirs still to come; 1: both done
    ERR_clear_error();
    m_closeNotifySent = true;
    flushToTcp();
    Q_EMIT closeNotifySent();
}

QString TlsClient::protocolName() const
{
    return m_ssl && m_state == State::Encrypted ? QString::fromLatin1(SSL_get_version(m_ssl))
                                                : QString();
}

QString TlsClient::cipherName() const
{
    const SSL_CIPHER *cipher = m_ssl ? SSL_get_current_cipher(m_ssl) : nullptr;
    return cipher ? QString::fromLatin1(SSL_CIPHER_get_name(cipher)) : QString();
}

QSslCertificate TlsClient::peerCertificate() const
{
    X509 *cert = m_ssl ? SSL_get0_peer_certificate(m_ssl) : nullptr;
    BIO *bio = cert ? BIO_new(BIO_s_mem()) : nullptr;
    if (!bio)
        return QSslCertificate();
    QByteArray pem;
    if (PEM_write_bio_X509(bio, cert) == 1)
        pem = takeBio(bio);
    BIO_free(bio);
    return pem.isEmpty() ? QSslCertificate() : QSslCertificate(pem, QSsl::Pem);
}

QString TlsClient::peerCertificateSubject() const
{
    X509 *cert = m_ssl ? SSL_get0_peer_certificate(m_ssl) : nullptr;
    BIO *bio = cert ? BIO_new(BIO_s_mem()) : nullptr;
    if (!bio)
        return {};
    QString subject;
    if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0)
        subject = QString::fromUtf8(takeBio(bio));
    BIO_free(bio);
    return subject;
}

TlsInfo TlsClient::sessionInfo() const
{
    TlsInfo info;
    info.protocol = protocolName();
    info.cipher = isEncrypted() ? cipherName() : QString();
    // On the client side the chain includes the server's own certificate, first.
    STACK_OF(X509) *chain = m_ssl ? SSL_get_peer_cert_chain(m_ssl) : nullptr;
    for (int i = 0; chain && i < sk_X509_num(chain); ++i)
        info.chain.append(certificateInfo(sk_X509_value(chain, i)));
    if (info.chain.isEmpty() && m_ssl) {
        if (X509 *leaf = SSL_get0_peer_certificate(m_ssl))
            info.chain.append(certificateInfo(leaf));
    }
    info.certificateErrors = m_certErrors;
    info.errorsIgnored = !m_certErrors.isEmpty() && m_options.ignoreCertificateErrors;
    info.sni = m_sni;
    info.alpnOffered = m_options.tls.alpn;
    const unsigned char *alpn = nullptr;
    unsigned alpnSize = 0;
    if (m_ssl)
        SSL_get0_alpn_selected(m_ssl, &alpn, &alpnSize);
    if (alpn && alpnSize > 0)
        info.alpn = QString::fromUtf8(reinterpret_cast<const char *>(alpn), qsizetype(alpnSize));
    info.clientCertificate = m_certRequested ? m_clientSubject : QString();
    info.versionAsked = versionName(m_options.tls.version);
    return info;
}

// Moves ciphertext from the socket to OpenSSL's input, decrypts, answers, and writes what
// OpenSSL produced to the socket, until nothing moves. Signals are emitted afterwards, so a
// handler may call back into this object.
void TlsClient::process()
{
    m_processQueued = false;
    if (m_processing || m_state == State::Idle)
        return;
    m_processing = true;
    for (bool moved = true; moved;) {
        moved = false;
        if (m_state == State::Failed || m_closeNotifyReceived) {
            discardTcpInput();
            break;
        }
        moved |= feedFromTcp();
        if (m_state == State::Handshaking)
            moved |= stepHandshake();
        if (m_state == State::Encrypted && !m_closeNotifyReceived)
            moved |= decrypt(m_tcpEnded);
        flushToTcp();
    }
    if (m_tcpEnded)
        finishTcpEnd();
    m_processing = false;
    emitPending();
}

void TlsClient::scheduleProcess()
{
    if (m_processQueued || m_state == State::Idle)
        return;
    m_processQueued = true;
    QMetaObject::invokeMethod(this, &TlsClient::process, Qt::QueuedConnection);
}

void TlsClient::emitPending()
{
    const QPointer<TlsClient> self(this);
    const std::vector<PendingEvent> events = std::exchange(m_events, {});
    for (const PendingEvent &e : events) {
        if (!self)
            return;
        switch (e.event) {
        case Event::CertificateErrors:
            Q_EMIT certificateErrors(m_certErrors);
            break;
        case Event::Encrypted:
            Q_EMIT encrypted();
            break;
        case Event::HandshakeFailed:
            Q_EMIT handshakeFailed(e.text);
            break;
        case Event::ReadyRead:
            Q_EMIT readyRead();
            break;
        case Event::CloseNotifyReceived:
            Q_EMIT closeNotifyReceived();
            break;
        case Event::CloseNotifySent:
            Q_EMIT closeNotifySent();
            break;
        case Event::Error:
            Q_EMIT error(e.text);
            break;
        case Event::Disconnected:
            Q_EMIT disconnected();
            break;
        }
    }
}

bool TlsClient::feedFromTcp()
{
    bool fed = false;
    char buffer[16384];
    while (m_tcp && m_tcp->bytesAvailable() > 0) {
        const qint64 pending = qint64(BIO_ctrl_pending(m_in));
        // One record is at most 2^14 + 2048 octets (RFC 5246 §6.2.3), far below the bound, so
        // OpenSSL can always make progress.
        const qint64 room = kMaxPendingCiphertext - pending;
        if (room <= 0)
            break;
        const qint64 n = m_tcp->read(buffer, std::min<qint64>(room, sizeof buffer));
        if (n <= 0)
            break;
        BIO_write(m_in, buffer, int(n));
        fed = true;
    }
    return fed;
}

bool TlsClient::stepHandshake()
{
    ERR_clear_error();
    const int result = SSL_do_handshake(m_ssl);
    if (result == 1) {
        m_state = State::Encrypted;
        queue(Event::Encrypted);
        return true;
    }
    const int code = SSL_get_error(m_ssl, result);
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE)
        return false;
    QString reason = takeOpenSslErrors();
    if (reason.isEmpty())
        reason = u"the TLS library reported error %1"_s.arg(code);
    if (!m_certErrors.isEmpty() && !m_options.ignoreCertificateErrors)
        reason += u" ("_s + m_certErrors.join(u"; "_s) + u')';
    fail(true, explainAlert(reason));
    return false;
}

bool TlsClient::decrypt(bool unbounded)
{
    bool gotData = false;
    bool ended = false; // close_notify or an error: nothing more to decrypt
    while (unbounded || bytesAvailable() < kMaxBufferedPlaintext) {
        if (m_plainPos > 0 && m_plainPos >= m_plain.size() / 2) { // keep the buffer compact
            m_plain.remove(0, m_plainPos);
            m_plainPos = 0;
        }
        constexpr qsizetype chunk = 16384; // one record's plaintext at most
        const qsizetype size = m_plain.size();
        m_plain.resize(size + chunk);
        size_t n = 0;
        ERR_clear_error();
        const int result = SSL_read_ex(m_ssl, m_plain.data() + size, size_t(chunk), &n);
        m_plain.resize(size + qsizetype(result == 1 ? n : 0));
        if (result == 1) {
            gotData = true;
            continue;
        }
        const int code = SSL_get_error(m_ssl, result);
        if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE)
            break;
        ended = true;
        if (gotData)
            queue(Event::ReadyRead); // what came before the close or the error comes first
        gotData = false;
        if (code == SSL_ERROR_ZERO_RETURN) { // the server's close_notify
            m_closeNotifyReceived = true;
            queue(Event::CloseNotifyReceived);
            if (m_options.answerCloseNotify && !m_closeNotifySent) {
                SSL_shutdown(m_ssl);
                ERR_clear_error();
                m_closeNotifySent = true;
                queue(Event::CloseNotifySent);
            }
        } else {
            // TLS 1.3: the client's handshake is done before the server has checked our
            // certificate; its verdict (certificate_required, …) comes as the first record.
            const QString reason = takeOpenSslErrors();
            fail(false, reason.isEmpty() ? u"the TLS library reported error %1"_s.arg(code)
                                         : explainAlert(reason));
        }
        break;
    }
    if (gotData)
        queue(Event::ReadyRead);
    return gotData || ended;
}

// After the server's close_notify or a failure, what still arrives is counted and dropped
// (RFC 5246 §7.2.1: the rest of the connection is ignored).
void TlsClient::discardTcpInput()
{
    char buffer[16384];
    while (m_tcp && m_tcp->bytesAvailable() > 0) {
        const qint64 n = m_tcp->read(buffer, sizeof buffer);
        if (n <= 0)
            break;
        m_discarded += n;
    }
}

void TlsClient::flushToTcp()
{
    if (!m_out || BIO_ctrl_pending(m_out) == 0)
        return;
    const QByteArray records = takeBio(m_out);
    (void)BIO_reset(m_out);
    if (m_tcp && m_tcp->state() == QAbstractSocket::ConnectedState)
        m_tcp->write(records);
}

void TlsClient::fail(bool inHandshake, const QString &reason)
{
    m_state = State::Failed;
    if (inHandshake) {
        m_errorString = u"TLS handshake failed: "_s + reason;
        queue(Event::HandshakeFailed, m_errorString);
    } else {
        m_errorString = u"TLS error: "_s + reason;
        queue(Event::Error, m_errorString);
    }
}

// Called once the socket has disconnected and its last octets have been processed.
void TlsClient::finishTcpEnd()
{
    if (m_disconnectQueued)
        return;
    m_disconnectQueued = true;
    discardTcpInput(); // only left when OpenSSL could make no use of it
    const bool partialRecord = m_in && BIO_ctrl_pending(m_in) > 0;
    if (m_state == State::Handshaking) {
        fail(true, u"the server closed TCP during the handshake"_s);
        m_disconnectReason = u"TCP closed during the TLS handshake"_s;
    } else if (m_state == State::Failed) {
        m_disconnectReason = u"TCP closed after a TLS failure"_s;
    } else if (m_closeNotifyReceived) {
        m_disconnectReason = u"TCP closed after close_notify"_s;
    } else {
        m_truncated = true;
        m_disconnectReason = partialRecord
                                 ? u"TCP closed without close_notify, inside a TLS record"_s
                                 : u"TCP closed without close_notify"_s;
    }
    queue(Event::Disconnected);
}

void TlsClient::recordCertificateError(int code)
{
    if (m_firstCertError == X509_V_OK)
        m_firstCertError = code;
    const QString text = certificateErrorText(code);
    if (!m_certErrors.contains(text)) // the same error at several depths is one problem
        m_certErrors.append(text);
}

int TlsClient::verifyEachCertificate(int ok, x509_store_ctx_st *store)
{
    if (ok)
        return 1;
    SSL *ssl =
        static_cast<SSL *>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto *self = ssl ? static_cast<TlsClient *>(SSL_get_app_data(ssl)) : nullptr;
    if (self)
        self->recordCertificateError(X509_STORE_CTX_get_error(store));
    return 1; // go on, to collect every error; verifyChain decides
}

int TlsClient::verifyChain(x509_store_ctx_st *store, void *arg)
{
    auto *self = static_cast<TlsClient *>(arg);
    if (X509_verify_cert(store) <= 0 && self->m_certErrors.isEmpty()) {
        // Verification itself could not run (no certificate, no memory): an error as well.
        const int code = X509_STORE_CTX_get_error(store);
        self->recordCertificateError(code == X509_V_OK ? X509_V_ERR_UNSPECIFIED : code);
    }
    if (self->m_certErrors.isEmpty())
        return 1;
    self->queue(Event::CertificateErrors);
    if (self->m_options.ignoreCertificateErrors)
        return 1;
    X509_STORE_CTX_set_error(store, self->m_firstCertError);
    return 0; // OpenSSL fails the handshake and sends the server the matching alert
}

} // namespace wsi
