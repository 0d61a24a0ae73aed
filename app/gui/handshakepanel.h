// SPDX-License-Identifier: MIT
#pragma once

#include "trace.h"

#include <QStringList>
#include <QWidget>

#include <memory>

namespace wsi::gui {

namespace Ui {
class HandshakePanel;
}

// The opening handshake as it went over the wire: the raw request and response heads side by
// side, why the handshake failed (if it did), and the TLS certificate errors met on the way.
class HandshakePanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HandshakePanel)

public:
    explicit HandshakePanel(QWidget *parent = nullptr);
    ~HandshakePanel() override;

    // Reads the HandshakeRequest, HandshakeResponse, HandshakeFailed and CertificateError events.
    // Cheap to call as the trace grows: the scan stops where the handshake is over.
    void setTrace(const Trace &trace);
    void setHandshake(const QString &request, const QString &response, const QString &failure = {},
                      const QStringList &certificateErrors = {});
    void clear();

    [[nodiscard]] QString requestText() const;
    [[nodiscard]] QString responseText() const;
    [[nodiscard]] QString failureText() const { return m_failure; }
    [[nodiscard]] QStringList certificateErrors() const { return m_certificateErrors; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void showFailure();

    std::unique_ptr<Ui::HandshakePanel> m_ui;
    QString m_failure;
    QStringList m_certificateErrors;
};

} // namespace wsi::gui
