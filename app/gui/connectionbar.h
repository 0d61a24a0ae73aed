// SPDX-License-Identifier: MIT
#pragma once

#include "session.h"

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

    void setSettings(const SessionSettings &settings);
    // Applies the dialog's fields onto `settings` (URL and switches untouched).
    void applyTo(SessionSettings &settings) const;

private:
    std::unique_ptr<::Ui::ConnectionSettingsDialog> m_ui;
};

// The bar above everything: URL with history, Connect/Disconnect, the state badge (with a lock
// for TLS), the auto-pong and auto-close-reply switches, and the settings dialog.
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

    void saveSettings(QSettings &settings) const;
    void restoreSettings(const QSettings &settings);

public Q_SLOTS:
    void openSettingsDialog();

Q_SIGNALS:
    void connectRequested();
    void disconnectRequested();
    void settingsChanged();

private:
    void validateUrl();

    std::unique_ptr<::Ui::ConnectionBar> m_ui;
    SessionSettings m_base; // handshake/TLS/timeouts from the dialog
    SessionState m_state = SessionState::Idle;
};

} // namespace wsi::gui
