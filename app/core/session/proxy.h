// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QUrl>

#include <optional>

namespace wsi {

// The proxy a connection goes through (docs/proxies.md). We speak the proxy protocols ourselves
// instead of QNetworkProxy, so that the trace can show the proxy leg apart from the WebSocket
// octets.
struct ProxySettings
{
    enum class Kind : quint8 {
        None,   // a direct connection
        Http,   // HTTP CONNECT (RFC 9110 §9.3.6)
        Socks5, // SOCKS5 (RFC 1928), user name and password by RFC 1929
        System, // what the system's proxy settings say for the URL (resolveSystemProxy())
    };
    Kind kind = Kind::None;
    QString host;
    quint16 port = 0;
    QString user; // empty: no authentication
    QString password;

    // "none" (or empty), "system", "http://[user:pass@]host:port",
    // "socks5://[user:pass@]host[:port]" (1080 when no port is given, RFC 1928 §3) or
    // "socks5h://…". socks5 and socks5h are the same here: the target's name always goes to the
    // proxy, never through our own DNS. Percent-escapes in the user and password are decoded.
    // nullopt with *error saying what is wrong.
    [[nodiscard]] static std::optional<ProxySettings> fromUrl(const QString &url, QString *error);
    // The URL fromUrl() reads back; the password only when asked for ("none", "system" for those).
    [[nodiscard]] QString toUrl(bool withPassword = false) const;
    // "the HTTP proxy 127.0.0.1:3128", "the SOCKS5 proxy proxy.example:1080" (trace and errors).
    [[nodiscard]] QString displayName() const;
    [[nodiscard]] bool isDirect() const { return kind == Kind::None; }

    friend bool operator==(const ProxySettings &, const ProxySettings &) = default;
};

// The system's proxy for a connection to `target` (QNetworkProxyFactory: the environment's
// http_proxy/https_proxy/all_proxy/no_proxy or the desktop's settings, as Qt reads them). A ws://
// URL is asked for as http://, a wss:// one as https://. None when the system says no proxy, or
// names one we cannot speak (an FTP or caching-only proxy).
[[nodiscard]] ProxySettings resolveSystemProxy(const QUrl &target);

// The proxy leg of one connection as a pure state machine: no socket. start() gives the octets of
// the first request; every octet the proxy sends goes to feed(), split anywhere. Every reply is
// bounded (an HTTP head of at most kMaxHttpHead octets, a SOCKS reply of at most 262), every
// failure is named. What a request and a reply were is given as readable text for the trace (an
// HTTP head as sent, SOCKS octets as hex with what they mean); a password never appears in it.
class ProxyHandshake
{
public:
    enum class Status : quint8 {
        NeedMore, // feed more octets
        Write,    // write `octets` to the proxy, then feed again (with nothing: it may have more)
        Done,     // the tunnel is up; `octets` are the first octets of the tunnel (the server's)
        Failed,   // `failure` says why; the connection is over
    };
    struct Result
    {
        Status status = Status::NeedMore;
        QByteArray octets;   // Write: the request; Done: what followed the proxy's last reply
        QString requestText; // Write: the request, readable
        QString replyText;   // a reply completed by this call, readable (empty when none)
        QString failure;     // Failed: why, in words
    };

    static constexpr qsizetype kMaxHttpHead = 16 * 1024;

    // `proxy` is Http or Socks5.
    explicit ProxyHandshake(const ProxySettings &proxy);

    // The first request, to a tunnel to `host`:`port` (Write; Failed for a target the protocol
    // cannot carry: a SOCKS5 name longer than 255 octets). Called once.
    [[nodiscard]] Result start(const QString &host, quint16 port);
    // The proxy's octets. After Done or Failed, nothing more is read (Done returns the octets
    // fed after it as the tunnel's).
    [[nodiscard]] Result feed(QByteArrayView octets);

    [[nodiscard]] bool isFinished() const { return m_step == Step::Done || m_step == Step::Failed; }

private:
    enum class Step : quint8 {
        Idle,
        HttpHead,     // reading the response head to CONNECT
        SocksMethod,  // reading the method selection (RFC 1928 §3)
        SocksAuth,    // reading the username/password status (RFC 1929 §2)
        SocksConnect, // reading the CONNECT reply (RFC 1928 §6)
        Done,
        Failed,
    };
    [[nodiscard]] Result fail(QString failure, QString replyText = {});
    [[nodiscard]] Result next();
    [[nodiscard]] Result readHttpHead();
    [[nodiscard]] Result readSocksMethod();
    [[nodiscard]] Result readSocksAuth();
    [[nodiscard]] Result readSocksConnect();
    [[nodiscard]] Result socksConnectRequest();
    [[nodiscard]] QString target() const;

    ProxySettings m_proxy;
    QString m_host;
    quint16 m_port = 0;
    Step m_step = Step::Idle;
    QByteArray m_buffer;      // the proxy's octets not yet consumed
    qsizetype m_searched = 0; // of m_buffer, searched for the end of an HTTP head
};

} // namespace wsi
