// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace wsi {

// How a wss:// connection speaks TLS, as deployments need it (docs/tls.md §4): a client
// certificate for servers that demand one (mTLS), the server name sent, the ALPN protocols
// offered, the TLS version, and a key log for decrypting a capture taken alongside.
struct TlsOptions
{
    enum class Version : quint8 {
        Any,   // TLS 1.2 or 1.3, the server chooses
        Tls12, // TLS 1.2 only
        Tls13, // TLS 1.3 only
    };

    // PEM: our certificate, then any intermediates to send with it. Empty: none.
    QString clientCertFile;
    // PEM: its private key, unencrypted. Empty: the key is in clientCertFile.
    QString clientKeyFile;
    // The server name sent (RFC 6066 §3). Unset: the URL's host, unless it is an IP address
    // (the RFC allows names only); empty: none. A name given here is also the one the server's
    // certificate is checked against.
    std::optional<QString> sni;
    // The ALPN protocols offered (RFC 7301), in order of preference; empty offers none. A browser
    // offers http/1.1 for a WebSocket (RFC 6455 is an HTTP/1.1 upgrade), and so do we.
    QStringList alpn = {QStringLiteral("http/1.1")};
    Version version = Version::Any;
    // The NSS key log (SSLKEYLOGFILE format) the session secrets are appended to, so that
    // Wireshark can decrypt a network capture of the connection. Empty: none.
    QString keyLogFile;

    friend bool operator==(const TlsOptions &, const TlsOptions &) = default;
};

} // namespace wsi
