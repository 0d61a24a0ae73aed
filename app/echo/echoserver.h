// SPDX-License-Identifier: MIT
#pragma once

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSslConfiguration>
#include <QUrl>

QT_BEGIN_NAMESPACE
class QWebSocket;
class QWebSocketServer;
QT_END_NAMESPACE

namespace wsi {

// The embedded echo server: QtWebSockets' QWebSocketServer on loopback, echoing every text and
// binary message. The program starts it so a new user can connect at once; tests and benchmarks use
// it as a reference peer. With TLS it uses the bundled self-signed localhost certificate.
class EchoServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EchoServer)

public:
    struct Options
    {
        bool tls = false;
        QHostAddress address = QHostAddress::LocalHost;
        quint16 port = 0; // 0: any free port
        QString serverName = QStringLiteral("WebSocketInspector-Echo");
    };

    explicit EchoServer(QObject *parent = nullptr);
    ~EchoServer() override;

    // Starts listening; false with errorString() set when the port cannot be bound.
    bool listen(const Options &options);
    bool listen() { return listen(Options{}); }
    void close();

    [[nodiscard]] QUrl url() const;
    [[nodiscard]] quint16 port() const;
    [[nodiscard]] QString errorString() const { return m_error; }
    [[nodiscard]] int connectionCount() const { return int(m_clients.size()); }
    // The CA certificate (PEM) clients must trust for wss:// without ignoring errors.
    [[nodiscard]] static QByteArray certificatePem();

Q_SIGNALS:
    void clientConnected();
    void clientDisconnected();

private:
    void onNewConnection();

    QWebSocketServer *m_server = nullptr;
    QList<QWebSocket *> m_clients;
    QString m_error;
    bool m_tls = false;
};

} // namespace wsi
