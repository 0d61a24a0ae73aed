// SPDX-License-Identifier: MIT
#include "echoserver.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QWebSocket>
#include <QWebSocketServer>

namespace wsi {

namespace {
QByteArray readResource(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}
} // namespace

EchoServer::EchoServer(QObject *parent) : QObject(parent) {}

EchoServer::~EchoServer()
{
    close();
}

QByteArray EchoServer::certificatePem()
{
    return readResource(QStringLiteral(":/tls/localhost.crt"));
}

bool EchoServer::listen(const Options &options)
{
    close();
    m_tls = options.tls;
    m_server = new QWebSocketServer(
        options.serverName,
        options.tls ? QWebSocketServer::SecureMode : QWebSocketServer::NonSecureMode, this);
    if (options.tls) {
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setLocalCertificate(QSslCertificate(certificatePem(), QSsl::Pem));
        config.setPrivateKey(
            QSslKey(readResource(QStringLiteral(":/tls/localhost.key")), QSsl::Rsa, QSsl::Pem));
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_server->setSslConfiguration(config);
    }
    connect(m_server, &QWebSocketServer::newConnection, this, &EchoServer::onNewConnection);
    if (!m_server->listen(options.address, options.port)) {
        m_error = m_server->errorString();
        delete m_server;
        m_server = nullptr;
        return false;
    }
    return true;
}

void EchoServer::close()
{
    for (QWebSocket *client : std::as_const(m_clients)) {
        client->disconnect(this);
        client->abort();
        client->deleteLater();
    }
    m_clients.clear();
    if (m_server) {
        m_server->close();
        delete m_server;
        m_server = nullptr;
    }
}

QUrl EchoServer::url() const
{
    if (!m_server)
        return {};
    QUrl url;
    url.setScheme(m_tls ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setHost(m_server->serverAddress().toString());
    url.setPort(m_server->serverPort());
    url.setPath(QStringLiteral("/"));
    return url;
}

quint16 EchoServer::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

void EchoServer::onNewConnection()
{
    while (QWebSocket *client = m_server->nextPendingConnection()) {
        m_clients.append(client);
        // Echo exactly: text as text, binary as binary (QtWebSockets answers pings itself).
        connect(client, &QWebSocket::textMessageReceived, client,
                [client](const QString &message) { client->sendTextMessage(message); });
        connect(client, &QWebSocket::binaryMessageReceived, client,
                [client](const QByteArray &message) { client->sendBinaryMessage(message); });
        connect(client, &QWebSocket::disconnected, this, [this, client] {
            m_clients.removeOne(client);
            client->deleteLater();
            Q_EMIT clientDisconnected();
        });
        Q_EMIT clientConnected();
    }
}

} // namespace wsi
