// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/permessagedeflate.h"
#include "session/proxy.h"
#include "session/session.h"

#include <QDialog>
#include <QWidget>

#include <memory>

QT_BEGIN_NAMESPACE
namespace Ui {
class ConnectionBar;
class ConnectionSettingsDialog;
} // namespace Ui
class QSettings;
QT_END_NAMESPACE

namespace wsi::gui {

// Handshake, TLS and timeout settings (everything of SessionSettings but the URL and switches).
class ConnectionSettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionSettingsDialog)

public:
    explicit ConnectionSettingsDialog(QWidget *parent = nullptr);
    ~ConnectionSettingsDialog() override;

    // The URL the connection goes to: the Raw request box shows the request built for it.
    void setUrl(const QUrl &url);
    void setSettings(const SessionSettings &settings);
    // Applies the dialog's fields onto `settings` (URL and switches untouched).
    void applyTo(SessionSettings &settings) const;

    // The request the current fields would send (the core's builder, with the sample key of
    // RFC 6455 §1.3 when no key is set), lines ending in LF as the Raw request box shows it.
    [[nodiscard]] QString builtRequest() const;
    // Whether the user changed the Raw request box (then it is no longer refreshed).
    [[nodiscard]] bool isRawRequestEdited() const { return m_rawEdited; }

    // The Compression tab's permessage-deflate offer; nullopt while its group is unchecked.
    [[nodiscard]] std::optional<DeflateParams> deflateOffer() const;
    void setDeflateOffer(const std::optional<DeflateParams> &offer);

    // Sec-WebSocket-Extensions as a list of elements, split into the Compression tab's offer
    // and the rest (the Extensions field): the first element is the tab's when it is the only
    // permessage-deflate element and reads back exactly as DeflateParams::toHeaderValue() writes
    // it; any other offer stays as typed.
    struct SplitExtensions
    {
        std::optional<DeflateParams> deflate;
        QStringList typed;
    };
    [[nodiscard]] static SplitExtensions splitExtensions(const QStringList &extensions);
    // The opposite: the tab's offer first, unless a typed element names permessage-deflate.
    [[nodiscard]] static QStringList joinExtensions(const std::optional<DeflateParams> &deflate,
                                                    const QStringList &typed);

    // Why the fields cannot make a connection (a TLS certificate that does not load, a bad
    // ALPN name, …), shown inline; OK keeps the dialog open while there is one. Empty when none.
    [[nodiscard]] QString validationError() const;

public Q_SLOTS:
    void accept() override;

private:
    void refreshRawRequest();
    void refreshDeflate();
    void refreshTls();
    [[nodiscard]] TlsOptions tlsOptions() const;
    [[nodiscard]] ProxySettings proxySettings() const;
    void setProxySettings(const ProxySettings &proxy);
    void refreshProxy();   // fields → enabled state, URL field
    void proxyUrlEdited(); // URL field → fields (or an inline error)
    [[nodiscard]] QString proxyError() const;
    void setTlsOptions(const TlsOptions &options);

    std::unique_ptr<::Ui::ConnectionSettingsDialog> m_ui;
    QUrl m_url;
    bool m_rawEdited = false;    // the user typed in the Raw request box
    bool m_loading = false;      // setSettings() is filling the fields
    bool m_settingRaw = false;   // the box is being filled by us
    bool m_settingProxy = false; // the proxy fields or URL are being filled by us
};

// The bar above everything: URL with history, Connect/Disconnect, the state badge (saying TLS
// and its version for wss://), the auto-pong and auto-close-reply switches, and the settings
// dialog.
class ConnectionBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionBar)

public:
    explicit ConnectionBar(QWidget *parent = nullptr);
    ~ConnectionBar() override;

    // The full settings for a connection to the current URL. Only valid when urlError() is empty.
    [[nodiscard]] SessionSettings settings() const;
    void setSettings(const SessionSettings &settings);
    [[nodiscard]] QString url() const;
    void setUrl(const QString &url);
    // Empty when the URL can be connected to; else a one-line reason (shown inline).
    [[nodiscard]] QString urlError() const;
    void addToHistory(const QString &url);
    [[nodiscard]] QStringList history() const;

    void setState(SessionState state, bool tls);
    // The TLS session of the connection (null: none yet): its protocol goes in the badge
    // ("TLS 1.3", "TLS 1.3 (errors ignored)"). Cleared when a new connection starts.
    void setTlsInfo(const TlsInfo *info);
    // We shut down our sending side (TCP FIN): the badge says "half-closed" until the
    // connection is closed or a new one starts.
    void setHalfClosed(bool halfClosed);
    [[nodiscard]] bool isHalfClosed() const { return m_halfClosed; }
    // The state in capitals, translated ("OPEN", "CLOSED", …), for the window title.
    [[nodiscard]] QString stateText() const;
    // What the state badge shows (plain text, no symbols a font may lack).
    [[nodiscard]] QString badgeText() const;

    void saveSettings(QSettings &settings) const;
    void restoreSettings(const QSettings &settings);

public Q_SLOTS:
    void openSettingsDialog();

Q_SIGNALS:
    void connectRequested();
    void disconnectRequested();
    void settingsChanged();

protected:
    void changeEvent(QEvent *event) override;

private:
    void validateUrl();
    void updateBadge();

    std::unique_ptr<::Ui::ConnectionBar> m_ui;
    SessionSettings m_base; // handshake/TLS/timeouts from the dialog
    SessionState m_state = SessionState::Idle;
    bool m_tls = false;
    bool m_halfClosed = false;
    QString m_tlsProtocol; // "TLSv1.3", empty until known
    QString m_tlsCipher;
    bool m_tlsErrorsIgnored = false;
};

} // namespace wsi::gui
