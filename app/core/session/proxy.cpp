// SPDX-License-Identifier: MIT
#include "session/proxy.h"

#include <QHostAddress>
#include <QNetworkProxy>
#include <QNetworkProxyFactory>
#include <QNetworkProxyQuery>
#include <QStringList>

#include <algorithm>
#include <utility>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {

constexpr quint8 kSocksVersion = 0x05;
constexpr quint8 kMethodNone = 0x00;
constexpr quint8 kMethodUserPassword = 0x02;
constexpr quint8 kNoAcceptableMethod = 0xff;
constexpr quint8 kUserPasswordVersion = 0x01;
constexpr quint16 kSocksDefaultPort = 1080; // RFC 1928 §3

QString hexByte(quint8 b)
{
    return u"%1"_s.arg(b, 2, 16, QChar(u'0'));
}

// "05 01 00": the octets as the trace shows them.
QString spacedHex(QByteArrayView octets)
{
    QString out;
    for (const char c : octets)
        out += (out.isEmpty() ? QString() : u" "_s) + hexByte(quint8(c));
    return out;
}

QString methodName(quint8 method)
{
    switch (method) {
    case 0x00:
        return u"no authentication"_s;
    case 0x01:
        return u"GSSAPI"_s;
    case 0x02:
        return u"username/password"_s;
    case kNoAcceptableMethod:
        return u"no acceptable methods"_s;
    default:
        return u"method "_s + hexByte(method);
    }
}

// RFC 1928 §6, in words a user reads as the cause.
QString socksReplyName(quint8 rep)
{
    switch (rep) {
    case 0x00:
        return u"succeeded"_s;
    case 0x01:
        return u"general SOCKS server failure"_s;
    case 0x02:
        return u"connection not allowed by the proxy's ruleset"_s;
    case 0x03:
        return u"network unreachable"_s;
    case 0x04:
        return u"host unreachable"_s;
    case 0x05:
        return u"connection refused by destination host"_s;
    case 0x06:
        return u"TTL expired"_s;
    case 0x07:
        return u"command not supported"_s;
    case 0x08:
        return u"address type not supported"_s;
    default:
        return u"unassigned reply code"_s;
    }
}

// host:port as a request target; an IPv6 literal in brackets (RFC 9110 §7.2, RFC 3986 §3.2.2).
QString authority(const QString &host, quint16 port)
{
    const bool ipv6 = host.contains(u':');
    return (ipv6 ? u"["_s + host + u"]"_s : host) + u':' + QString::number(port);
}

// The head's lines, CRLF or a bare LF, without the empty last one.
QStringList headLines(const QByteArray &head)
{
    QStringList lines = QString::fromLatin1(head).split(u'\n');
    for (QString &line : lines) {
        if (line.endsWith(u'\r'))
            line.chop(1);
    }
    while (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

// Where an HTTP head ends (just after CRLF CRLF, or LF LF from a lenient proxy), or -1. The
// search starts at `from`: octets before it were searched already (less the 3 a split may cut).
qsizetype headEnd(const QByteArray &buffer, qsizetype from)
{
    from = std::max<qsizetype>(0, from - 3);
    const qsizetype crlf = buffer.indexOf("\r\n\r\n", from);
    const qsizetype lf = buffer.indexOf("\n\n", from);
    if (crlf >= 0 && (lf < 0 || crlf + 2 <= lf))
        return crlf + 4;
    if (lf >= 0)
        return lf + 2;
    return -1;
}

} // namespace

// ---- settings ----------------------------------------------------------------------------------

std::optional<ProxySettings> ProxySettings::fromUrl(const QString &text, QString *error)
{
    const auto failed = [error](const QString &why) -> std::optional<ProxySettings> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const QString trimmed = text.trimmed();
    ProxySettings proxy;
    if (trimmed.isEmpty() || trimmed.compare(u"none"_s, Qt::CaseInsensitive) == 0)
        return proxy;
    if (trimmed.compare(u"system"_s, Qt::CaseInsensitive) == 0) {
        proxy.kind = Kind::System;
        return proxy;
    }
    const QUrl url(trimmed, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || scheme.isEmpty())
        return failed(
            u"proxy must be http://[USER:PASS@]HOST:PORT, socks5://[USER:PASS@]HOST[:PORT],"
            u" 'system' or 'none', got '"_s +
            trimmed + u'\'');
    if (scheme == u"http"_s) {
        proxy.kind = Kind::Http;
    } else if (scheme == u"socks5"_s || scheme == u"socks5h"_s) {
        proxy.kind = Kind::Socks5;
    } else if (scheme == u"https"_s) {
        return failed(u"a proxy reached over TLS (https://) is not supported; use http://"_s);
    } else if (scheme.startsWith(u"socks"_s)) {
        return failed(u"only SOCKS5 is supported (socks5:// or socks5h://), not "_s + scheme +
                      u"://"_s);
    } else {
        return failed(u"unknown proxy scheme '"_s + scheme +
                      u"': use http://, socks5://, socks5h://, 'system' or 'none'"_s);
    }
    if (url.host().isEmpty())
        return failed(u"proxy URL has no host: '"_s + trimmed + u'\'');
    if (!url.path().isEmpty() && url.path() != u"/"_s)
        return failed(u"a proxy URL has no path: '"_s + trimmed + u'\'');
    if (url.hasQuery() || url.hasFragment())
        return failed(u"a proxy URL has no query or fragment: '"_s + trimmed + u'\'');
    const int port = url.port(proxy.kind == Kind::Socks5 ? kSocksDefaultPort : -1);
    if (port < 0)
        return failed(u"an HTTP proxy URL needs a port: http://HOST:PORT, got '"_s + trimmed +
                      u'\'');
    if (port < 1 || port > 65535)
        return failed(u"proxy port must be 1–65535: '"_s + trimmed + u'\'');
    proxy.host = url.host();
    proxy.port = quint16(port);
    proxy.user = url.userName(QUrl::FullyDecoded);
    proxy.password = url.password(QUrl::FullyDecoded);
    if (proxy.user.isEmpty() && !proxy.password.isEmpty())
        return failed(u"proxy URL has a password but no user name"_s);
    // RFC 1929 §2: each is one length octet long.
    if (proxy.kind == Kind::Socks5 &&
        (proxy.user.toUtf8().size() > 255 || proxy.password.toUtf8().size() > 255))
        return failed(u"SOCKS5 user name and password are at most 255 octets each"_s);
    return proxy;
}

QString ProxySettings::toUrl(bool withPassword) const
{
    switch (kind) {
    case Kind::None:
        return u"none"_s;
    case Kind::System:
        return u"system"_s;
    case Kind::Http:
    case Kind::Socks5:
        break;
    }
    QUrl url;
    url.setScheme(kind == Kind::Http ? u"http"_s : u"socks5"_s);
    url.setHost(host);
    url.setPort(port);
    if (!user.isEmpty()) {
        url.setUserName(user, QUrl::DecodedMode);
        if (withPassword && !password.isEmpty())
            url.setPassword(password, QUrl::DecodedMode);
    }
    return url.toString(QUrl::FullyEncoded);
}

QString ProxySettings::displayName() const
{
    switch (kind) {
    case Kind::None:
        return u"no proxy"_s;
    case Kind::System:
        return u"the system proxy"_s;
    case Kind::Http:
        return u"the HTTP proxy "_s + authority(host, port);
    case Kind::Socks5:
        return u"the SOCKS5 proxy "_s + authority(host, port);
    }
    return {};
}

ProxySettings resolveSystemProxy(const QUrl &target)
{
    QUrl asked = target;
    asked.setScheme(target.scheme() == u"wss"_s ? u"https"_s : u"http"_s);
    if (target.port() < 0)
        asked.setPort(target.scheme() == u"wss"_s ? 443 : 80);
    const QList<QNetworkProxy> proxies =
        QNetworkProxyFactory::systemProxyForQuery(QNetworkProxyQuery(asked));
    for (const QNetworkProxy &p : proxies) {
        ProxySettings out;
        if (p.type() == QNetworkProxy::NoProxy || p.type() == QNetworkProxy::DefaultProxy)
            return out; // the system says: direct
        if (p.type() == QNetworkProxy::HttpProxy)
            out.kind = ProxySettings::Kind::Http;
        else if (p.type() == QNetworkProxy::Socks5Proxy)
            out.kind = ProxySettings::Kind::Socks5;
        else
            continue; // a caching-only proxy cannot tunnel: the next one, if any
        out.host = p.hostName();
        out.port = p.port();
        out.user = p.user();
        out.password = p.password();
        if (!out.host.isEmpty() && out.port > 0)
            return out;
    }
    return {};
}

// ---- the handshake ------------------------------------------------------------------------------

ProxyHandshake::ProxyHandshake(const ProxySettings &proxy) : m_proxy(proxy) {}

QString ProxyHandshake::target() const
{
    return authority(m_host, m_port);
}

ProxyHandshake::Result ProxyHandshake::fail(QString failure, QString replyText)
{
    m_step = Step::Failed;
    m_buffer.clear();
    Result r;
    r.status = Status::Failed;
    r.failure = std::move(failure);
    r.replyText = std::move(replyText);
    return r;
}

ProxyHandshake::Result ProxyHandshake::start(const QString &host, quint16 port)
{
    m_host = host;
    m_port = port;
    Result r;
    r.status = Status::Write;
    if (m_proxy.kind == ProxySettings::Kind::Http) {
        // RFC 9110 §9.3.6: the target is host:port; Host repeats it (RFC 9112 §3.2).
        const QByteArray authorityOctets = target().toUtf8();
        r.octets = "CONNECT " + authorityOctets + " HTTP/1.1\r\nHost: " + authorityOctets + "\r\n";
        r.requestText = QString::fromUtf8(r.octets);
        if (!m_proxy.user.isEmpty()) {
            // RFC 7617: Basic, user-id ":" password in UTF-8, base64. The trace names the user
            // only: a capture shared for debugging must not carry the password.
            const QByteArray credentials = (m_proxy.user + u':' + m_proxy.password).toUtf8();
            r.octets += "Proxy-Authorization: Basic " + credentials.toBase64() + "\r\n";
            r.requestText += u"Proxy-Authorization: Basic (credentials of user \""_s +
                             m_proxy.user + u"\", not recorded)\r\n"_s;
        }
        r.octets += "\r\n";
        r.requestText += u"\r\n"_s;
        m_step = Step::HttpHead;
        return r;
    }
    // RFC 1928 §3: the greeting offers "no authentication", and username/password when we
    // have a user name.
    const bool auth = !m_proxy.user.isEmpty();
    r.octets.append(char(kSocksVersion));
    r.octets.append(char(auth ? 2 : 1));
    r.octets.append(char(kMethodNone));
    if (auth)
        r.octets.append(char(kMethodUserPassword));
    r.requestText = spacedHex(r.octets) + u"  (SOCKS5 greeting: methods 00 no authentication"_s +
                    (auth ? u", 02 username/password)"_s : u")"_s);
    if (!QHostAddress(m_host).isNull() || m_host.toUtf8().size() <= 255) {
        m_step = Step::SocksMethod;
        return r;
    }
    return fail(u"the target's name is longer than SOCKS5 carries (255 octets): "_s + m_host);
}

ProxyHandshake::Result ProxyHandshake::feed(QByteArrayView octets)
{
    if (m_step == Step::Failed || m_step == Step::Idle)
        return {};
    if (m_step == Step::Done) {
        Result r;
        r.status = Status::Done;
        r.octets = octets.toByteArray();
        return r;
    }
    m_buffer.append(octets);
    return next();
}

ProxyHandshake::Result ProxyHandshake::next()
{
    switch (m_step) {
    case Step::HttpHead:
        return readHttpHead();
    case Step::SocksMethod:
        return readSocksMethod();
    case Step::SocksAuth:
        return readSocksAuth();
    case Step::SocksConnect:
        return readSocksConnect();
    case Step::Idle:
    case Step::Done:
    case Step::Failed:
        break;
    }
    return {};
}

ProxyHandshake::Result ProxyHandshake::readHttpHead()
{
    const qsizetype end = headEnd(m_buffer, m_searched);
    m_searched = m_buffer.size();
    if (end < 0) {
        if (m_buffer.size() >= kMaxHttpHead)
            return fail(u"the proxy's reply head is larger than 16 KiB"_s);
        return {};
    }
    if (end > kMaxHttpHead)
        return fail(u"the proxy's reply head is larger than 16 KiB"_s);
    const QByteArray head = m_buffer.left(end);
    m_buffer.remove(0, end);
    m_searched = 0; // an interim response's successor is searched from its start
    const QStringList lines = headLines(head);
    const QString replyText = QString::fromLatin1(head);
    const QString statusLine = lines.value(0);
    // "HTTP/1.1 200 Connection established": version, three digits, the reason.
    const QStringList parts = statusLine.split(u' ');
    bool numeric = false;
    const int status = parts.value(1).toInt(&numeric);
    if (!statusLine.startsWith(u"HTTP/"_s) || !numeric || parts.value(1).size() != 3)
        return fail(u"the proxy's reply is not HTTP: "_s + statusLine.left(200), replyText);
    const QString statusText = statusLine.section(u' ', 1).trimmed();
    if (status >= 100 && status < 200) {
        // An interim response: the real one follows (RFC 9110 §15.2).
        Result r = readHttpHead();
        r.replyText = replyText + r.replyText;
        return r;
    }
    if (status >= 200 && status < 300) {
        // RFC 9110 §9.3.6: any 2xx switches to the tunnel right after the head.
        m_step = Step::Done;
        Result r;
        r.status = Status::Done;
        r.octets = std::exchange(m_buffer, {});
        r.replyText = replyText;
        return r;
    }
    // 407 is the proxy's own (RFC 9110 §15.5.8); some proxies (tinyproxy) answer wrong
    // credentials with 401.
    if (status == 407 || status == 401) {
        QString scheme;
        for (const QString &line : lines) {
            if (line.startsWith(u"proxy-authenticate:"_s, Qt::CaseInsensitive)) {
                scheme = line.mid(19).trimmed().section(u' ', 0, 0);
                break;
            }
        }
        const QString basicOnly =
            !scheme.isEmpty() && scheme.compare(u"Basic"_s, Qt::CaseInsensitive) != 0
                ? u"; it asks for "_s + scheme + u", we speak Basic only"_s
                : QString();
        if (m_proxy.user.isEmpty())
            return fail(u"proxy requires authentication ("_s + statusText + basicOnly + u')',
                        replyText);
        return fail(u"proxy rejected the credentials of user \""_s + m_proxy.user + u"\" ("_s +
                        statusText + basicOnly + u')',
                    replyText);
    }
    // What a proxy answers when the target cannot be reached (tinyproxy: 500 Unable to connect).
    if (status == 500 || status == 502 || status == 503 || status == 504)
        return fail(u"the proxy could not connect to "_s + target() + u" ("_s + statusText + u')',
                    replyText);
    return fail(u"the proxy refused the tunnel to "_s + target() + u" ("_s + statusText + u')',
                replyText);
}

ProxyHandshake::Result ProxyHandshake::readSocksMethod()
{
    if (m_buffer.size() < 2)
        return {};
    const auto version = quint8(m_buffer[0]);
    const auto method = quint8(m_buffer[1]);
    const QString replyText = spacedHex(QByteArrayView(m_buffer).first(2)) +
                              u"  (SOCKS5 method selection: "_s + hexByte(method) + u' ' +
                              methodName(method) + u')';
    if (version != kSocksVersion)
        return fail(u"the proxy's reply is not SOCKS5 (version "_s + hexByte(version) +
                        u" in the method selection)"_s,
                    spacedHex(QByteArrayView(m_buffer).first(2)));
    m_buffer.remove(0, 2);
    if (method == kNoAcceptableMethod)
        return fail(u"no acceptable authentication method (SOCKS5 method reply FF)"_s +
                        (m_proxy.user.isEmpty() ? u": the proxy may want a user name and password"_s
                                                : QString()),
                    replyText);
    if (method == kMethodUserPassword && !m_proxy.user.isEmpty()) {
        // RFC 1929 §2: VER 01, ULEN, UNAME, PLEN, PASSWD.
        const QByteArray user = m_proxy.user.toUtf8();
        const QByteArray password = m_proxy.password.toUtf8();
        Result r;
        r.status = Status::Write;
        r.replyText = replyText;
        r.octets.append(char(kUserPasswordVersion));
        r.octets.append(char(user.size()));
        r.octets.append(user);
        r.octets.append(char(password.size()));
        r.octets.append(password);
        r.requestText = spacedHex(QByteArrayView(r.octets).first(2 + user.size())) + u' ' +
                        hexByte(quint8(password.size())) + u" …"_s +
                        u"  (SOCKS5 username/password for user \""_s + m_proxy.user +
                        u"\"; the password's "_s + QString::number(password.size()) +
                        u" octets are not recorded)"_s;
        m_step = Step::SocksAuth;
        return r;
    }
    if (method != kMethodNone)
        return fail(u"the proxy chose "_s + methodName(method) + u" (SOCKS5 method "_s +
                        hexByte(method) + u"), which we did not offer"_s,
                    replyText);
    Result r = socksConnectRequest();
    r.replyText = replyText;
    return r;
}

ProxyHandshake::Result ProxyHandshake::readSocksAuth()
{
    if (m_buffer.size() < 2)
        return {};
    const auto status = quint8(m_buffer[1]);
    const QString replyText = spacedHex(QByteArrayView(m_buffer).first(2)) +
                              u"  (SOCKS5 username/password status "_s + hexByte(status) +
                              (status == 0 ? u": success)"_s : u": failure)"_s);
    m_buffer.remove(0, 2);
    // RFC 1929 §2: 00 is success; anything else, and the server closes the connection.
    if (status != 0)
        return fail(u"the SOCKS5 proxy rejected the user name and password of user \""_s +
                        m_proxy.user + u"\" (status "_s + hexByte(status) + u')',
                    replyText);
    Result r = socksConnectRequest();
    r.replyText = replyText;
    return r;
}

ProxyHandshake::Result ProxyHandshake::socksConnectRequest()
{
    // RFC 1928 §4: VER 05, CMD 01 CONNECT, RSV 00, ATYP, DST.ADDR, DST.PORT. An address literal
    // goes as one (ATYP 01 or 04); a name goes as the name (ATYP 03): the proxy resolves it.
    Result r;
    r.status = Status::Write;
    r.octets.append(char(kSocksVersion));
    r.octets.append(char(0x01));
    r.octets.append(char(0x00));
    const QHostAddress address(m_host);
    QString kind;
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        r.octets.append(char(0x01));
        const quint32 v4 = address.toIPv4Address();
        for (int shift = 24; shift >= 0; shift -= 8)
            r.octets.append(char((v4 >> shift) & 0xff));
        kind = u"IPv4 address"_s;
    } else if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        r.octets.append(char(0x04));
        const Q_IPV6ADDR v6 = address.toIPv6Address();
        r.octets.append(reinterpret_cast<const char *>(v6.c), 16);
        kind = u"IPv6 address"_s;
    } else {
        const QByteArray name = m_host.toUtf8();
        r.octets.append(char(0x03));
        r.octets.append(char(name.size()));
        r.octets.append(name);
        kind = u"domain name"_s;
    }
    r.octets.append(char(m_port >> 8));
    r.octets.append(char(m_port & 0xff));
    r.requestText =
        spacedHex(r.octets) + u"  (SOCKS5 CONNECT "_s + target() + u", "_s + kind + u')';
    m_step = Step::SocksConnect;
    return r;
}

ProxyHandshake::Result ProxyHandshake::readSocksConnect()
{
    // RFC 1928 §6: VER, REP, RSV, ATYP, BND.ADDR, BND.PORT; the address's length is in ATYP
    // (and in the first octet of a domain name).
    if (m_buffer.size() < 5)
        return {};
    const auto version = quint8(m_buffer[0]);
    const auto rep = quint8(m_buffer[1]);
    const auto atyp = quint8(m_buffer[3]);
    if (version != kSocksVersion)
        return fail(u"the proxy's reply is not SOCKS5 (version "_s + hexByte(version) +
                        u" in the CONNECT reply)"_s,
                    spacedHex(QByteArrayView(m_buffer).first(5)));
    qsizetype addressSize = 0;
    switch (atyp) {
    case 0x01:
        addressSize = 4;
        break;
    case 0x03:
        addressSize = 1 + quint8(m_buffer[4]);
        break;
    case 0x04:
        addressSize = 16;
        break;
    default:
        return fail(u"the SOCKS5 reply has an unknown address type "_s + hexByte(atyp) + u" ("_s +
                        socksReplyName(rep) + u", reply "_s + hexByte(rep) + u')',
                    spacedHex(QByteArrayView(m_buffer).first(5)));
    }
    const qsizetype size = 4 + addressSize + 2;
    if (m_buffer.size() < size)
        return {};
    const QByteArrayView reply = QByteArrayView(m_buffer).first(size);
    QString bound;
    if (atyp == 0x01) {
        quint32 v4 = 0;
        for (int i = 0; i < 4; ++i)
            v4 = (v4 << 8) | quint8(reply[4 + i]);
        bound = QHostAddress(v4).toString();
    } else if (atyp == 0x04) {
        Q_IPV6ADDR v6;
        for (int i = 0; i < 16; ++i)
            v6.c[i] = quint8(reply[4 + i]);
        bound = u'[' + QHostAddress(v6).toString() + u']';
    } else {
        bound = QString::fromUtf8(reply.sliced(5, addressSize - 1));
    }
    const quint16 boundPort = quint16((quint8(reply[size - 2]) << 8) | quint8(reply[size - 1]));
    const QString replyText = spacedHex(reply) + u"  (SOCKS5 reply "_s + hexByte(rep) + u": "_s +
                              socksReplyName(rep) + u", bound address "_s + bound + u':' +
                              QString::number(boundPort) + u')';
    m_buffer.remove(0, size);
    if (rep != 0)
        return fail(socksReplyName(rep) + u" (SOCKS5 reply "_s + hexByte(rep) + u')', replyText);
    m_step = Step::Done;
    Result r;
    r.status = Status::Done;
    r.octets = std::exchange(m_buffer, {});
    r.replyText = replyText;
    return r;
}

} // namespace wsi
