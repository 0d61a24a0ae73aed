// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/handshake.h"
#include "protocol/permessagedeflate.h"
#include "trace/trace.h"

#include <QStringList>
#include <QWidget>

#include <memory>
#include <optional>

namespace wsi::gui {

namespace Ui {
class HandshakePanel;
}

// The opening handshake as it went over the wire: the raw request and response heads side by
// side, why the handshake failed (if it did), what the server ignored of our request (warnings),
// the body of a response that is not 101, and the TLS session: protocol, cipher, the server's
// certificate chain and the certificate errors met on the way.
class HandshakePanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HandshakePanel)

public:
    // What is shown of a response body at most.
    static constexpr qint64 kMaxBodyOctets = 64 * 1024;

    explicit HandshakePanel(QWidget *parent = nullptr);
    ~HandshakePanel() override;

    // Reads the HandshakeRequest, HandshakeResponse, HandshakeFailed, CertificateError and
    // Connected events and the octets after the response head. Cheap to call as the trace grows:
    // the scan stops where the handshake is over.
    void setTrace(const Trace &trace);
    void setHandshake(const QString &request, const QString &response, const QString &failure = {},
                      const QStringList &certificateErrors = {});
    // The TLS section: `info` for wss://, null with `connected` for ws:// ("no TLS"), null
    // without it: not connected (yet), the section is hidden unless there are certificate errors.
    void setTls(const TlsInfo *info, bool connected);
    // The octets a response that is not 101 carried after its head (shown escaped).
    void setResponseBody(const QByteArray &body, bool truncated = false);
    void clear();

    [[nodiscard]] QString requestText() const;
    [[nodiscard]] QString responseText() const;
    [[nodiscard]] QString failureText() const { return m_failure; }
    [[nodiscard]] QStringList certificateErrors() const { return m_certificateErrors; }
    [[nodiscard]] QList<HandshakeWarningInfo> warnings() const { return m_warnings; }
    // permessage-deflate as the handshake settled it (negotiateDeflate() on the heads shown).
    [[nodiscard]] const DeflateNegotiation &deflateNegotiation() const { return m_deflate; }
    // The line shown about it: the agreed parameters, "offered, declined by the server", "not
    // offered", or why the negotiation failed.
    [[nodiscard]] QString deflateText() const;
    // The body as shown (escaped), empty when there is none.
    [[nodiscard]] QString responseBodyText() const;

    // A body's octets for display: UTF-8 (invalid sequences replaced), line breaks kept, every
    // other control character escaped ("\x1b", "\t"), never shown raw.
    [[nodiscard]] static QString displayBody(const QByteArray &body);

protected:
    void changeEvent(QEvent *event) override;

private:
    void showFailure();
    void showWarnings();
    void showDeflate();
    void showTls();
    void relayout();
    [[nodiscard]] QString warningText(const HandshakeWarningInfo &warning) const;

    std::unique_ptr<Ui::HandshakePanel> m_ui;
    QString m_failure;
    QStringList m_certificateErrors;
    QList<HandshakeWarningInfo> m_warnings;
    DeflateNegotiation m_deflate;
    bool m_hasRequest = false;
    bool m_hasResponse = false;
    QString m_warningSource; // request + response the warnings were computed from
    std::optional<TlsInfo> m_tls;
    bool m_connected = false;
    qint64 m_bodySourceOctets = -1; // RX octets the body was read at (re-read when it grows)
};

} // namespace wsi::gui
