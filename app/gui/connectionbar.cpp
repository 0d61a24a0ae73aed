// SPDX-License-Identifier: MIT
#include "connectionbar.h"

#include "session/tlsclient.h"
#include "ui_connectionbar.h"
#include "ui_connectionsettings.h"

#include <QFileDialog>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStyle>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {
constexpr int kHistorySize = 20;

// The key of the Raw request preview when none is set: RFC 6455 §1.3's sample nonce.
constexpr QByteArrayView kSampleNonce = "the sample nonce";

QStringList splitList(const QString &text)
{
    QStringList out;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        const QString trimmed = part.trimmed();
        if (!trimmed.isEmpty())
            out << trimmed;
    }
    return out;
}

// The extension an element of Sec-WebSocket-Extensions names (the token before any ';').
bool namesDeflate(const QString &element)
{
    return element.section(u';', 0, 0)
               .trimmed()
               .compare(u"permessage-deflate"_s, Qt::CaseInsensitive) == 0;
}
} // namespace

// ---- ConnectionSettingsDialog -------------------------------------------------------------------

ConnectionSettingsDialog::ConnectionSettingsDialog(QWidget *parent)
    : QDialog(parent), m_ui(std::make_unique<::Ui::ConnectionSettingsDialog>())
{
    m_ui->setupUi(this);
    m_ui->headersTable->horizontalHeader()->setStretchLastSection(true);
    connect(m_ui->addHeaderButton, &QPushButton::clicked, this, [this] {
        const int row = m_ui->headersTable->rowCount();
        m_ui->headersTable->insertRow(row);
        m_ui->headersTable->setItem(row, 0, new QTableWidgetItem);
        m_ui->headersTable->setItem(row, 1, new QTableWidgetItem);
        m_ui->headersTable->editItem(m_ui->headersTable->item(row, 0));
    });
    connect(m_ui->removeHeaderButton, &QPushButton::clicked, this, [this] {
        const int row = m_ui->headersTable->currentRow();
        if (row >= 0)
            m_ui->headersTable->removeRow(row);
    });
    connect(m_ui->rawRequestCheck, &QCheckBox::toggled, m_ui->rawRequestEdit, &QWidget::setEnabled);
    // The Raw request box shows the request it replaces, kept up to date with the fields until
    // the user edits it.
    connect(m_ui->rawRequestEdit, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_settingRaw)
            m_rawEdited = !m_ui->rawRequestEdit->toPlainText().isEmpty();
    });
    for (QLineEdit *edit : {m_ui->subprotocolsEdit, m_ui->extensionsEdit, m_ui->originEdit,
                            m_ui->versionEdit, m_ui->keyEdit})
        connect(edit, &QLineEdit::textChanged, this, &ConnectionSettingsDialog::refreshRawRequest);
    connect(m_ui->headersTable, &QTableWidget::itemChanged, this,
            &ConnectionSettingsDialog::refreshRawRequest);
    connect(m_ui->headersTable->model(), &QAbstractItemModel::rowsRemoved, this,
            &ConnectionSettingsDialog::refreshRawRequest);
    connect(m_ui->caFileButton, &QPushButton::clicked, this, [this] {
        const QString file =
            QFileDialog::getOpenFileName(this, tr("CA certificates"), m_ui->caFileEdit->text(),
                                         tr("PEM certificates (*.pem *.crt);;All files (*)"));
        if (!file.isEmpty())
            m_ui->caFileEdit->setText(file);
    });
    // client_max_window_bits may go without a value (RFC 7692 §7.1.2.2), server_max_window_bits
    // may not (§7.1.2.1); the values are 8..15.
    m_ui->clientWindowCombo->addItem(tr("not offered"), -1);
    m_ui->clientWindowCombo->addItem(tr("without a value (the server chooses)"), 0);
    m_ui->serverWindowCombo->addItem(tr("not offered"), -1);
    for (int bits = 8; bits <= 15; ++bits) {
        m_ui->clientWindowCombo->addItem(tr("%1 bits").arg(bits), bits);
        m_ui->serverWindowCombo->addItem(tr("%1 bits").arg(bits), bits);
    }
    connect(m_ui->deflateGroup, &QGroupBox::toggled, this,
            &ConnectionSettingsDialog::refreshDeflate);
    for (QCheckBox *box : {m_ui->clientNoContextTakeoverCheck, m_ui->serverNoContextTakeoverCheck})
        connect(box, &QCheckBox::toggled, this, &ConnectionSettingsDialog::refreshDeflate);
    for (QComboBox *combo : {m_ui->clientWindowCombo, m_ui->serverWindowCombo})
        connect(combo, &QComboBox::currentIndexChanged, this,
                &ConnectionSettingsDialog::refreshDeflate);
    connect(m_ui->extensionsEdit, &QLineEdit::textChanged, this,
            &ConnectionSettingsDialog::refreshDeflate);
    // TLS as deployments use it: client certificate, server name, ALPN, version, key log.
    m_ui->sniCombo->addItem(tr("the URL's host"), 0);
    m_ui->sniCombo->addItem(tr("this name:"), 1);
    m_ui->sniCombo->addItem(tr("none"), 2);
    m_ui->tlsVersionCombo->addItem(tr("TLS 1.2 or 1.3 (the server chooses)"),
                                   int(TlsOptions::Version::Any));
    m_ui->tlsVersionCombo->addItem(tr("TLS 1.2 only"), int(TlsOptions::Version::Tls12));
    m_ui->tlsVersionCombo->addItem(tr("TLS 1.3 only"), int(TlsOptions::Version::Tls13));
    connect(m_ui->sniCombo, &QComboBox::currentIndexChanged, this,
            &ConnectionSettingsDialog::refreshTls);
    for (QLineEdit *edit : {m_ui->clientCertEdit, m_ui->clientKeyEdit, m_ui->sniEdit,
                            m_ui->alpnEdit, m_ui->keyLogEdit})
        connect(edit, &QLineEdit::textChanged, this, [this] {
            // A correction clears the message of the last OK; it is checked again on the next.
            m_ui->tlsError->clear();
            m_ui->tlsError->hide();
        });
    const auto pick = [this](QLineEdit *edit, const QString &title, const QString &filter) {
        const QString file = QFileDialog::getOpenFileName(this, title, edit->text(), filter);
        if (!file.isEmpty())
            edit->setText(file);
    };
    connect(m_ui->clientCertButton, &QPushButton::clicked, this, [this, pick] {
        pick(m_ui->clientCertEdit, tr("Client certificate"),
             tr("PEM certificates (*.pem *.crt);;All files (*)"));
    });
    connect(m_ui->clientKeyButton, &QPushButton::clicked, this, [this, pick] {
        pick(m_ui->clientKeyEdit, tr("Client key"), tr("PEM keys (*.pem *.key);;All files (*)"));
    });
    connect(m_ui->keyLogButton, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getSaveFileName(
            this, tr("Key log file"), m_ui->keyLogEdit->text(),
            tr("Key logs (*.log *.txt *.keys);;All files (*)"), nullptr,
            QFileDialog::DontConfirmOverwrite); // appended to, never overwritten
        if (!file.isEmpty())
            m_ui->keyLogEdit->setText(file);
    });
    m_ui->tlsError->hide();

    // The proxy: a URL field and the fields it stands for, each following the other.
    m_ui->proxyKindCombo->addItem(tr("None (direct connection)"), int(ProxySettings::Kind::None));
    m_ui->proxyKindCombo->addItem(tr("System settings"), int(ProxySettings::Kind::System));
    m_ui->proxyKindCombo->addItem(tr("HTTP (CONNECT)"), int(ProxySettings::Kind::Http));
    m_ui->proxyKindCombo->addItem(tr("SOCKS5"), int(ProxySettings::Kind::Socks5));
    connect(m_ui->proxyKindCombo, &QComboBox::currentIndexChanged, this,
            &ConnectionSettingsDialog::refreshProxy);
    for (QLineEdit *edit : {m_ui->proxyHostEdit, m_ui->proxyUserEdit, m_ui->proxyPasswordEdit})
        connect(edit, &QLineEdit::textChanged, this, &ConnectionSettingsDialog::refreshProxy);
    connect(m_ui->proxyPortSpin, &QSpinBox::valueChanged, this,
            &ConnectionSettingsDialog::refreshProxy);
    connect(m_ui->proxyUrlEdit, &QLineEdit::textEdited, this,
            &ConnectionSettingsDialog::proxyUrlEdited);
    m_ui->proxyUrlError->hide();
    m_ui->proxyError->hide();
    m_ui->proxyNote->setText(tr("The password is not saved with the settings: it is kept until "
                                "the program ends."));
    connect(m_ui->buttons, &QDialogButtonBox::accepted, this, &ConnectionSettingsDialog::accept);
    connect(m_ui->buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    refreshTls();
    connect(m_ui->buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            [this] { setSettings(SessionSettings{}); });
}

ConnectionSettingsDialog::~ConnectionSettingsDialog() = default;

std::optional<DeflateParams> ConnectionSettingsDialog::deflateOffer() const
{
    if (!m_ui->deflateGroup->isChecked())
        return std::nullopt;
    DeflateParams p;
    p.clientNoContextTakeover = m_ui->clientNoContextTakeoverCheck->isChecked();
    p.serverNoContextTakeover = m_ui->serverNoContextTakeoverCheck->isChecked();
    const int client = m_ui->clientWindowCombo->currentData().toInt();
    p.clientMaxWindowBits = client >= 0;
    if (client > 0)
        p.clientMaxWindowBitsValue = client;
    const int server = m_ui->serverWindowCombo->currentData().toInt();
    if (server > 0)
        p.serverMaxWindowBits = server;
    return p;
}

void ConnectionSettingsDialog::setDeflateOffer(const std::optional<DeflateParams> &offer)
{
    const DeflateParams p = offer.value_or(DeflateParams());
    m_ui->deflateGroup->setChecked(offer.has_value());
    m_ui->clientNoContextTakeoverCheck->setChecked(p.clientNoContextTakeover);
    m_ui->serverNoContextTakeoverCheck->setChecked(p.serverNoContextTakeover);
    const int client = !p.clientMaxWindowBits ? -1 : p.clientMaxWindowBitsValue.value_or(0);
    m_ui->clientWindowCombo->setCurrentIndex(
        std::max(0, m_ui->clientWindowCombo->findData(client)));
    m_ui->serverWindowCombo->setCurrentIndex(
        std::max(0, m_ui->serverWindowCombo->findData(p.serverMaxWindowBits.value_or(-1))));
    refreshDeflate();
}

ConnectionSettingsDialog::SplitExtensions
ConnectionSettingsDialog::splitExtensions(const QStringList &extensions)
{
    SplitExtensions out;
    out.typed = extensions;
    if (extensions.isEmpty() || !namesDeflate(extensions.constFirst()) ||
        std::count_if(extensions.begin(), extensions.end(), namesDeflate) != 1)
        return out;
    QString error;
    const std::optional<DeflateParams> params = parseDeflateParams(extensions.constFirst(), &error);
    // Only the tab's own spelling goes back into the tab: an offer typed another way (other
    // order, spacing or case) is sent as typed, so it is shown as typed.
    if (!params || params->toHeaderValue() != extensions.constFirst())
        return out;
    out.deflate = params;
    out.typed.removeFirst();
    return out;
}

QStringList ConnectionSettingsDialog::joinExtensions(const std::optional<DeflateParams> &deflate,
                                                     const QStringList &typed)
{
    QStringList out = typed;
    if (deflate && std::none_of(typed.begin(), typed.end(), namesDeflate))
        out.prepend(deflate->toHeaderValue());
    return out;
}

TlsOptions ConnectionSettingsDialog::tlsOptions() const
{
    TlsOptions o;
    o.clientCertFile = m_ui->clientCertEdit->text().trimmed();
    o.clientKeyFile = m_ui->clientKeyEdit->text().trimmed();
    switch (m_ui->sniCombo->currentData().toInt()) {
    case 1:
        o.sni = m_ui->sniEdit->text().trimmed();
        break;
    case 2:
        o.sni = QString();
        break;
    default:
        o.sni.reset();
        break;
    }
    o.alpn = splitList(m_ui->alpnEdit->text());
    o.version = TlsOptions::Version(m_ui->tlsVersionCombo->currentData().toInt());
    o.keyLogFile = m_ui->keyLogEdit->text().trimmed();
    return o;
}

void ConnectionSettingsDialog::setTlsOptions(const TlsOptions &o)
{
    m_ui->clientCertEdit->setText(o.clientCertFile);
    m_ui->clientKeyEdit->setText(o.clientKeyFile);
    m_ui->sniCombo->setCurrentIndex(!o.sni ? 0 : o.sni->isEmpty() ? 2 : 1);
    m_ui->sniEdit->setText(o.sni.value_or(QString()));
    m_ui->alpnEdit->setText(o.alpn.join(u", "_s));
    m_ui->tlsVersionCombo->setCurrentIndex(
        std::max(0, m_ui->tlsVersionCombo->findData(int(o.version))));
    m_ui->keyLogEdit->setText(o.keyLogFile);
    m_ui->tlsError->clear();
    m_ui->tlsError->hide();
    refreshTls();
}

ProxySettings ConnectionSettingsDialog::proxySettings() const
{
    ProxySettings p;
    p.kind = ProxySettings::Kind(m_ui->proxyKindCombo->currentData().toInt());
    if (p.kind == ProxySettings::Kind::Http || p.kind == ProxySettings::Kind::Socks5) {
        p.host = m_ui->proxyHostEdit->text().trimmed();
        p.port = quint16(m_ui->proxyPortSpin->value());
        p.user = m_ui->proxyUserEdit->text();
        p.password = m_ui->proxyPasswordEdit->text();
    }
    return p;
}

void ConnectionSettingsDialog::setProxySettings(const ProxySettings &p)
{
    m_settingProxy = true;
    m_ui->proxyKindCombo->setCurrentIndex(std::max(0, m_ui->proxyKindCombo->findData(int(p.kind))));
    m_ui->proxyHostEdit->setText(p.host);
    m_ui->proxyPortSpin->setValue(p.port);
    m_ui->proxyUserEdit->setText(p.user);
    m_ui->proxyPasswordEdit->setText(p.password);
    m_settingProxy = false;
    m_ui->proxyUrlError->hide();
    m_ui->proxyError->hide();
    refreshProxy();
}

void ConnectionSettingsDialog::refreshProxy()
{
    const ProxySettings p = proxySettings();
    const bool remote =
        p.kind == ProxySettings::Kind::Http || p.kind == ProxySettings::Kind::Socks5;
    for (QWidget *w :
         {static_cast<QWidget *>(m_ui->proxyHostEdit), static_cast<QWidget *>(m_ui->proxyPortSpin),
          static_cast<QWidget *>(m_ui->proxyUserEdit),
          static_cast<QWidget *>(m_ui->proxyPasswordEdit),
          static_cast<QWidget *>(m_ui->proxyHostLabel),
          static_cast<QWidget *>(m_ui->proxyPortLabel),
          static_cast<QWidget *>(m_ui->proxyUserLabel),
          static_cast<QWidget *>(m_ui->proxyPasswordLabel)})
        w->setEnabled(remote);
    if (m_settingProxy)
        return;
    // The fields changed: the URL says the same (without the password, which it would show).
    m_ui->proxyUrlEdit->setText(p.toUrl(false));
    m_ui->proxyUrlError->hide();
    m_ui->proxyError->hide();
}

void ConnectionSettingsDialog::proxyUrlEdited()
{
    QString error;
    const std::optional<ProxySettings> parsed =
        ProxySettings::fromUrl(m_ui->proxyUrlEdit->text().trimmed(), &error);
    if (!parsed) {
        // The fields keep the last good proxy; the text stays as typed, to be corrected.
        m_ui->proxyUrlError->setText(u"\u2716 "_s + error);
        m_ui->proxyUrlError->setStyleSheet(u"color: #b3261e;"_s);
        m_ui->proxyUrlError->show();
        return;
    }
    m_ui->proxyUrlError->hide();
    ProxySettings p = *parsed;
    // A URL typed without a password keeps the one in the field for the same user.
    if (p.password.isEmpty() && p.user == m_ui->proxyUserEdit->text())
        p.password = m_ui->proxyPasswordEdit->text();
    m_settingProxy = true;
    m_ui->proxyKindCombo->setCurrentIndex(std::max(0, m_ui->proxyKindCombo->findData(int(p.kind))));
    m_ui->proxyHostEdit->setText(p.host);
    m_ui->proxyPortSpin->setValue(p.port);
    m_ui->proxyUserEdit->setText(p.user);
    m_ui->proxyPasswordEdit->setText(p.password);
    refreshProxy(); // enables the fields; the URL stays as typed
    m_settingProxy = false;
}

QString ConnectionSettingsDialog::proxyError() const
{
    if (!m_ui->proxyUrlError->isHidden())
        return tr("The proxy URL is not valid: %1").arg(m_ui->proxyUrlError->text().mid(2));
    const ProxySettings p = proxySettings();
    if (p.kind != ProxySettings::Kind::Http && p.kind != ProxySettings::Kind::Socks5)
        return {};
    if (p.host.isEmpty())
        return tr("Enter the proxy's host.");
    if (p.host.contains(u' '))
        return tr("The proxy host “%1” has a space.").arg(p.host);
    if (p.port == 0)
        return tr("Enter the proxy's port (1–65535).");
    if (p.user.isEmpty() && !p.password.isEmpty())
        return tr("A proxy password needs a user name.");
    return {};
}

void ConnectionSettingsDialog::refreshTls()
{
    m_ui->sniEdit->setEnabled(m_ui->sniCombo->currentData().toInt() == 1);
}

QString ConnectionSettingsDialog::validationError() const
{
    if (const QString proxy = proxyError(); !proxy.isEmpty())
        return proxy;
    const TlsOptions o = tlsOptions();
    if (o.sni && !o.sni->isEmpty() && m_ui->sniCombo->currentData().toInt() == 1 &&
        o.sni->contains(u' '))
        return tr("The server name “%1” has a space: a DNS name has none (RFC 6066 §3).")
            .arg(*o.sni);
    if (m_ui->sniCombo->currentData().toInt() == 1 && o.sni->isEmpty())
        return tr("Enter the server name to send, or choose “none”.");
    // The core's own check: what the session would refuse at connect (the file names stay as
    // typed, to be corrected).
    return TlsClient::checkOptions(o);
}

void ConnectionSettingsDialog::accept()
{
    const QString proxy = proxyError();
    m_ui->proxyError->setText(proxy.isEmpty() ? QString() : u"\u2716 "_s + proxy);
    m_ui->proxyError->setStyleSheet(u"color: #b3261e;"_s);
    m_ui->proxyError->setVisible(!proxy.isEmpty());
    if (!proxy.isEmpty()) {
        m_ui->tabs->setCurrentWidget(m_ui->proxyTab);
        return;
    }
    const QString error = validationError();
    m_ui->tlsError->setText(error.isEmpty() ? QString() : u"\u2716 "_s + error);
    m_ui->tlsError->setStyleSheet(u"color: #b3261e;"_s);
    m_ui->tlsError->setVisible(!error.isEmpty());
    if (!error.isEmpty()) {
        m_ui->tabs->setCurrentWidget(m_ui->tlsTab);
        return;
    }
    QDialog::accept();
}

void ConnectionSettingsDialog::refreshDeflate()
{
    const std::optional<DeflateParams> offer = deflateOffer();
    m_ui->deflateOfferPreview->setText(offer ? offer->toHeaderValue() : QString());
    const QStringList typed = splitList(m_ui->extensionsEdit->text());
    QStringList notes;
    bool warn = false;
    for (const QString &element : typed) {
        if (!namesDeflate(element))
            continue;
        QString error;
        if (!parseDeflateParams(element, &error)) {
            // Sent all the same: a broken offer may be what the user wants to try.
            notes << tr("The Extensions field's offer “%1” is not a valid permessage-deflate "
                        "offer (%2); it is sent as typed.")
                         .arg(element, error);
            warn = true;
        }
    }
    if (offer && std::any_of(typed.begin(), typed.end(), namesDeflate)) {
        notes << tr("The Extensions field (Handshake tab) names permessage-deflate: its offer is "
                    "sent, this one is not.");
        warn = true;
    }
    if (notes.isEmpty())
        notes << tr("The offer is the first element of Sec-WebSocket-Extensions, before the "
                    "Extensions field's. The Handshake tab shows what the server agreed.");
    m_ui->deflateNote->setText(notes.join(u'\n'));
    m_ui->deflateNote->setStyleSheet(warn ? u"color: #b3261e;"_s : QString());
    refreshRawRequest();
}

void ConnectionSettingsDialog::setUrl(const QUrl &url)
{
    m_url = url;
    refreshRawRequest();
}

QString ConnectionSettingsDialog::builtRequest() const
{
    if (!m_url.isValid() || m_url.host().isEmpty())
        return {};
    SessionSettings s;
    applyTo(s);
    s.handshake.rawRequest.clear();
    const HandshakeRequest request =
        buildHandshakeRequest(m_url, s.handshake, kSampleNonce.toByteArray());
    return QString::fromUtf8(request.bytes).replace(u"\r\n"_s, u"\n"_s);
}

void ConnectionSettingsDialog::refreshRawRequest()
{
    if (m_loading || m_rawEdited)
        return;
    const QString text = builtRequest();
    if (m_ui->rawRequestEdit->toPlainText() == text)
        return;
    m_settingRaw = true;
    m_ui->rawRequestEdit->setPlainText(text);
    m_settingRaw = false;
}

void ConnectionSettingsDialog::setSettings(const SessionSettings &s)
{
    m_loading = true;
    const HandshakeOptions &h = s.handshake;
    m_ui->headersTable->setRowCount(0);
    for (const auto &header : h.extraHeaders) {
        const int row = m_ui->headersTable->rowCount();
        m_ui->headersTable->insertRow(row);
        m_ui->headersTable->setItem(row, 0, new QTableWidgetItem(QString::fromUtf8(header.first)));
        m_ui->headersTable->setItem(row, 1, new QTableWidgetItem(QString::fromUtf8(header.second)));
    }
    m_ui->subprotocolsEdit->setText(h.subprotocols.join(u", "_s));
    const SplitExtensions extensions = splitExtensions(h.extensions);
    m_ui->extensionsEdit->setText(extensions.typed.join(u", "_s));
    setDeflateOffer(extensions.deflate);
    m_ui->originEdit->setText(h.origin);
    m_ui->versionEdit->setText(QString::fromUtf8(h.version));
    m_ui->keyEdit->setText(QString::fromUtf8(h.key));
    m_ui->rawRequestCheck->setChecked(!h.rawRequest.isEmpty());
    m_settingRaw = true;
    m_ui->rawRequestEdit->setPlainText(QString::fromUtf8(h.rawRequest).replace(u"\r\n"_s, u"\n"_s));
    m_settingRaw = false;
    m_rawEdited = !h.rawRequest.isEmpty(); // a raw request of the user's is kept as it is
    m_ui->ignoreCertificateErrorsCheck->setChecked(s.ignoreCertificateErrors);
    m_ui->caFileEdit->setText(s.caFile);
    setTlsOptions(s.tls);
    setProxySettings(s.proxy);
    m_ui->openTimeoutSpin->setValue(s.openHandshakeTimeoutMs / 1000.0);
    m_ui->closeTimeoutSpin->setValue(s.closeHandshakeTimeoutMs / 1000.0);
    m_ui->dropTimeoutSpin->setValue(s.serverDropTimeoutMs / 1000.0);
    m_ui->maxFrameSpin->setValue(int(s.maxFramePayload >> 20));
    m_ui->maxTraceSpin->setValue(int(std::clamp<qint64>(s.maxTraceOctets >> 20, 1, 1 << 20)));
    m_ui->failOnViolationCheck->setChecked(s.failOnViolation);
    m_loading = false;
    refreshRawRequest();
}

void ConnectionSettingsDialog::applyTo(SessionSettings &s) const
{
    HandshakeOptions &h = s.handshake;
    h.extraHeaders.clear();
    for (int row = 0; row < m_ui->headersTable->rowCount(); ++row) {
        const QTableWidgetItem *name = m_ui->headersTable->item(row, 0);
        const QTableWidgetItem *value = m_ui->headersTable->item(row, 1);
        if (name && !name->text().trimmed().isEmpty())
            h.extraHeaders.append(
                {name->text().trimmed().toUtf8(), value ? value->text().toUtf8() : QByteArray()});
    }
    h.subprotocols = splitList(m_ui->subprotocolsEdit->text());
    h.extensions = joinExtensions(deflateOffer(), splitList(m_ui->extensionsEdit->text()));
    h.origin = m_ui->originEdit->text().trimmed();
    h.version = m_ui->versionEdit->text().trimmed().toUtf8();
    h.key = m_ui->keyEdit->text().trimmed().toUtf8();
    // The editor shows LF; the wire wants CR LF (RFC 7230 §3).
    h.rawRequest = m_ui->rawRequestCheck->isChecked()
                       ? m_ui->rawRequestEdit->toPlainText().replace(u"\n"_s, u"\r\n"_s).toUtf8()
                       : QByteArray();
    s.ignoreCertificateErrors = m_ui->ignoreCertificateErrorsCheck->isChecked();
    s.caFile = m_ui->caFileEdit->text().trimmed();
    s.tls = tlsOptions();
    s.proxy = proxySettings();
    s.openHandshakeTimeoutMs = int(m_ui->openTimeoutSpin->value() * 1000);
    s.closeHandshakeTimeoutMs = int(m_ui->closeTimeoutSpin->value() * 1000);
    s.serverDropTimeoutMs = int(m_ui->dropTimeoutSpin->value() * 1000);
    s.maxFramePayload = qint64(m_ui->maxFrameSpin->value()) << 20;
    s.maxTraceOctets = qint64(m_ui->maxTraceSpin->value()) << 20;
    s.failOnViolation = m_ui->failOnViolationCheck->isChecked();
}

// ---- ConnectionBar ------------------------------------------------------------------------------

ConnectionBar::ConnectionBar(QWidget *parent)
    : QWidget(parent), m_ui(std::make_unique<::Ui::ConnectionBar>())
{
    m_ui->setupUi(this);
    m_ui->urlCombo->lineEdit()->setPlaceholderText(tr("ws://host:port/path"));
    m_ui->urlCombo->lineEdit()->setClearButtonEnabled(true);
    connect(m_ui->urlCombo, &QComboBox::editTextChanged, this, &ConnectionBar::validateUrl);
    connect(m_ui->urlCombo->lineEdit(), &QLineEdit::returnPressed, this, [this] {
        if (urlError().isEmpty() &&
            (m_state == SessionState::Idle || m_state == SessionState::Closed))
            Q_EMIT connectRequested();
    });
    connect(m_ui->connectButton, &QPushButton::clicked, this, [this] {
        if (m_state == SessionState::Idle || m_state == SessionState::Closed)
            Q_EMIT connectRequested();
        else
            Q_EMIT disconnectRequested();
    });
    connect(m_ui->settingsButton, &QToolButton::clicked, this, &ConnectionBar::openSettingsDialog);
    connect(m_ui->autoPongCheck, &QCheckBox::toggled, this, &ConnectionBar::settingsChanged);
    connect(m_ui->autoCloseReplyCheck, &QCheckBox::toggled, this, &ConnectionBar::settingsChanged);
    setState(SessionState::Idle, false);
    validateUrl();
}

ConnectionBar::~ConnectionBar() = default;

SessionSettings ConnectionBar::settings() const
{
    SessionSettings s = m_base;
    s.url = QUrl(url(), QUrl::StrictMode);
    s.autoPong = m_ui->autoPongCheck->isChecked();
    s.autoCloseReply = m_ui->autoCloseReplyCheck->isChecked();
    return s;
}

void ConnectionBar::setSettings(const SessionSettings &s)
{
    m_base = s;
    if (!s.url.isEmpty())
        setUrl(s.url.toString());
    m_ui->autoPongCheck->setChecked(s.autoPong);
    m_ui->autoCloseReplyCheck->setChecked(s.autoCloseReply);
}

QString ConnectionBar::url() const
{
    return m_ui->urlCombo->currentText().trimmed();
}

void ConnectionBar::setUrl(const QString &url)
{
    m_ui->urlCombo->setEditText(url);
    validateUrl();
}

QString ConnectionBar::urlError() const
{
    const QString text = url();
    if (text.isEmpty())
        return tr("Enter a ws:// or wss:// URL.");
    const QUrl u(text, QUrl::StrictMode);
    const QString scheme = u.scheme().toLower();
    if (!u.isValid())
        return tr("Not a valid URL: %1").arg(u.errorString());
    if (scheme != u"ws"_s && scheme != u"wss"_s)
        return tr("The URL must start with ws:// or wss:// (not %1://).").arg(scheme);
    if (u.host().isEmpty())
        return tr("The URL has no host.");
    if (u.port() == 0)
        return tr("The port must be between 1 and 65535.");
    return {};
}

void ConnectionBar::validateUrl()
{
    const QString error = urlError();
    m_ui->urlError->setText(error);
    m_ui->urlError->setVisible(!error.isEmpty() && !url().isEmpty());
    m_ui->urlError->setStyleSheet(u"color: palette(bright-text); background: #b3261e;"
                                  "padding: 2px 6px; border-radius: 3px;"_s);
    const bool idle = m_state == SessionState::Idle || m_state == SessionState::Closed;
    m_ui->connectButton->setEnabled(!idle || error.isEmpty());
}

void ConnectionBar::addToHistory(const QString &url)
{
    QStringList items = history();
    items.removeAll(url);
    items.prepend(url);
    while (items.size() > kHistorySize)
        items.removeLast();
    const QString current = this->url();
    m_ui->urlCombo->blockSignals(true);
    m_ui->urlCombo->clear();
    m_ui->urlCombo->addItems(items);
    m_ui->urlCombo->setEditText(current);
    m_ui->urlCombo->blockSignals(false);
}

QStringList ConnectionBar::history() const
{
    QStringList items;
    for (int i = 0; i < m_ui->urlCombo->count(); ++i)
        items << m_ui->urlCombo->itemText(i);
    return items;
}

void ConnectionBar::setState(SessionState state, bool tls)
{
    m_state = state;
    const bool idle = state == SessionState::Idle || state == SessionState::Closed;
    m_ui->connectButton->setText(idle ? tr("&Connect") : tr("&Disconnect"));
    m_ui->urlCombo->setEnabled(idle);
    m_ui->settingsButton->setEnabled(idle);
    if (state == SessionState::Idle || state == SessionState::Connecting) {
        // A new connection: nothing known of its TLS session yet, and it is not half-closed.
        m_tlsProtocol.clear();
        m_tlsCipher.clear();
        m_tlsErrorsIgnored = false;
    }
    if (state != SessionState::Open && state != SessionState::Closing)
        m_halfClosed = false;
    m_tls = tls;
    updateBadge();
    validateUrl();
}

void ConnectionBar::setTlsInfo(const TlsInfo *info)
{
    const QString protocol = info ? info->protocol : QString();
    const QString cipher = info ? info->cipher : QString();
    const bool ignored = info && info->errorsIgnored;
    if (protocol == m_tlsProtocol && cipher == m_tlsCipher && ignored == m_tlsErrorsIgnored)
        return;
    m_tlsProtocol = protocol;
    m_tlsCipher = cipher;
    m_tlsErrorsIgnored = ignored;
    updateBadge();
}

void ConnectionBar::setHalfClosed(bool halfClosed)
{
    if (halfClosed == m_halfClosed)
        return;
    m_halfClosed = halfClosed;
    updateBadge();
}

QString ConnectionBar::stateText() const
{
    switch (m_state) {
    case SessionState::Idle:
        return tr("IDLE");
    case SessionState::Connecting:
        return tr("CONNECTING");
    case SessionState::Open:
        return tr("OPEN");
    case SessionState::Closing:
        return tr("CLOSING");
    case SessionState::Closed:
        return tr("CLOSED");
    }
    return {};
}

QString ConnectionBar::badgeText() const
{
    return m_ui->stateBadge->text();
}

void ConnectionBar::updateBadge()
{
    QString text;
    QString colour;
    switch (m_state) {
    case SessionState::Idle:
        text = tr("not connected");
        colour = u"#6b6b6b"_s;
        break;
    case SessionState::Connecting:
        text = tr("connecting");
        colour = u"#a05a00"_s;
        break;
    case SessionState::Open:
        text = tr("open");
        colour = u"#1e7d32"_s;
        break;
    case SessionState::Closing:
        text = tr("closing");
        colour = u"#a05a00"_s;
        break;
    case SessionState::Closed:
        text = tr("closed");
        colour = u"#6b6b6b"_s;
        break;
    }
    // Plain words only (a padlock or a warning sign is a missing-glyph box in many fonts); the
    // middle dot is Latin-1, in every font.
    QStringList tips{tr("Connection state")};
    if (m_halfClosed) {
        text = tr("%1 · half-closed").arg(text);
        tips << tr("We shut down our sending side (TCP FIN): the server can still send, we "
                   "cannot.");
    }
    if (m_tls && m_state != SessionState::Idle) {
        const QString tls =
            m_tlsProtocol.isEmpty() ? tr("TLS") : tlsProtocolDisplayName(m_tlsProtocol);
        text =
            tr("%1 · %2").arg(text, m_tlsErrorsIgnored ? tr("%1 (errors ignored)").arg(tls) : tls);
        if (!m_tlsProtocol.isEmpty())
            tips << tr("Encrypted: %1, cipher %2")
                        .arg(tlsProtocolDisplayName(m_tlsProtocol), m_tlsCipher);
        else
            tips << tr("TLS (wss://)");
        if (m_tlsErrorsIgnored)
            tips << tr("The server's certificate did not verify; its errors were ignored (see "
                       "the Handshake tab).");
    }
    m_ui->stateBadge->setText(text);
    m_ui->stateBadge->setStyleSheet(u"QLabel { color: white; background: %1; border-radius: 4px;"
                                    " padding: 2px 8px; font-weight: bold; }"_s.arg(colour));
    m_ui->stateBadge->setToolTip(tips.join(u'\n'));
}

void ConnectionBar::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::LanguageChange)
        updateBadge();
}

void ConnectionBar::openSettingsDialog()
{
    ConnectionSettingsDialog dialog(this);
    dialog.setUrl(QUrl(url(), QUrl::StrictMode));
    dialog.setSettings(m_base);
    if (dialog.exec() == QDialog::Accepted) {
        dialog.applyTo(m_base);
        Q_EMIT settingsChanged();
    }
}

void ConnectionBar::saveSettings(QSettings &settings) const
{
    settings.setValue(u"connection/recentUrls"_s, history());
    settings.setValue(u"connection/url"_s, url());
    settings.setValue(u"connection/autoPong"_s, m_ui->autoPongCheck->isChecked());
    settings.setValue(u"connection/autoCloseReply"_s, m_ui->autoCloseReplyCheck->isChecked());
    QStringList headers;
    for (const auto &h : m_base.handshake.extraHeaders)
        headers << QString::fromUtf8(h.first + ": " + h.second);
    settings.setValue(u"connection/headers"_s, headers);
    settings.setValue(u"connection/subprotocols"_s, m_base.handshake.subprotocols);
    settings.setValue(u"connection/extensions"_s, m_base.handshake.extensions);
    settings.setValue(u"connection/origin"_s, m_base.handshake.origin);
    settings.setValue(u"connection/ignoreCertificateErrors"_s, m_base.ignoreCertificateErrors);
    settings.setValue(u"connection/caFile"_s, m_base.caFile);
    const TlsOptions &tls = m_base.tls;
    settings.setValue(u"connection/tls/clientCertFile"_s, tls.clientCertFile);
    settings.setValue(u"connection/tls/clientKeyFile"_s, tls.clientKeyFile);
    // Unset (the URL's host) is no key; none is an empty value.
    if (tls.sni)
        settings.setValue(u"connection/tls/sni"_s, *tls.sni);
    else
        settings.remove(u"connection/tls/sni"_s);
    settings.setValue(u"connection/tls/alpn"_s, tls.alpn.join(u","_s));
    settings.setValue(u"connection/tls/version"_s, int(tls.version));
    settings.setValue(u"connection/tls/keyLogFile"_s, tls.keyLogFile);
    // The proxy as its URL, without the password (never written to disk).
    settings.setValue(u"connection/proxy"_s, m_base.proxy.toUrl(false));
    settings.setValue(u"connection/openTimeoutMs"_s, m_base.openHandshakeTimeoutMs);
    settings.setValue(u"connection/closeTimeoutMs"_s, m_base.closeHandshakeTimeoutMs);
    settings.setValue(u"connection/dropTimeoutMs"_s, m_base.serverDropTimeoutMs);
    settings.setValue(u"connection/maxFramePayload"_s, m_base.maxFramePayload);
    settings.setValue(u"connection/maxTraceOctets"_s, m_base.maxTraceOctets);
    settings.setValue(u"connection/failOnViolation"_s, m_base.failOnViolation);
}

void ConnectionBar::restoreSettings(const QSettings &settings)
{
    const SessionSettings defaults;
    for (const QString &url : settings.value(u"connection/recentUrls"_s).toStringList())
        m_ui->urlCombo->addItem(url);
    m_ui->autoPongCheck->setChecked(settings.value(u"connection/autoPong"_s, true).toBool());
    m_ui->autoCloseReplyCheck->setChecked(
        settings.value(u"connection/autoCloseReply"_s, true).toBool());
    m_base.handshake.extraHeaders.clear();
    for (const QString &h : settings.value(u"connection/headers"_s).toStringList()) {
        const qsizetype colon = h.indexOf(u':');
        if (colon > 0)
            m_base.handshake.extraHeaders.append(
                {h.left(colon).trimmed().toUtf8(), h.mid(colon + 1).trimmed().toUtf8()});
    }
    m_base.handshake.subprotocols = settings.value(u"connection/subprotocols"_s).toStringList();
    m_base.handshake.extensions = settings.value(u"connection/extensions"_s).toStringList();
    m_base.handshake.origin = settings.value(u"connection/origin"_s).toString();
    m_base.ignoreCertificateErrors =
        settings.value(u"connection/ignoreCertificateErrors"_s, false).toBool();
    m_base.caFile = settings.value(u"connection/caFile"_s).toString();
    TlsOptions tls;
    tls.clientCertFile = settings.value(u"connection/tls/clientCertFile"_s).toString();
    tls.clientKeyFile = settings.value(u"connection/tls/clientKeyFile"_s).toString();
    if (settings.contains(u"connection/tls/sni"_s))
        tls.sni = settings.value(u"connection/tls/sni"_s).toString();
    if (settings.contains(u"connection/tls/alpn"_s))
        tls.alpn = splitList(settings.value(u"connection/tls/alpn"_s).toString());
    const int version = settings.value(u"connection/tls/version"_s, 0).toInt();
    tls.version = version >= 0 && version <= int(TlsOptions::Version::Tls13)
                      ? TlsOptions::Version(version)
                      : TlsOptions::Version::Any;
    tls.keyLogFile = settings.value(u"connection/tls/keyLogFile"_s).toString();
    m_base.tls = tls;
    QString proxyError;
    const std::optional<ProxySettings> proxy =
        ProxySettings::fromUrl(settings.value(u"connection/proxy"_s).toString(), &proxyError);
    m_base.proxy = proxy.value_or(ProxySettings()); // a hand-edited bad URL: direct
    // Timeouts outside sane bounds (a hand-edited file) fall back to the defaults.
    const auto ms = [&settings](const QString &key, int fallback) {
        const int v = settings.value(key, fallback).toInt();
        return v >= 100 && v <= 600000 ? v : fallback;
    };
    m_base.openHandshakeTimeoutMs =
        ms(u"connection/openTimeoutMs"_s, defaults.openHandshakeTimeoutMs);
    m_base.closeHandshakeTimeoutMs =
        ms(u"connection/closeTimeoutMs"_s, defaults.closeHandshakeTimeoutMs);
    m_base.serverDropTimeoutMs = ms(u"connection/dropTimeoutMs"_s, defaults.serverDropTimeoutMs);
    const qint64 limit =
        settings.value(u"connection/maxFramePayload"_s, defaults.maxFramePayload).toLongLong();
    m_base.maxFramePayload = limit >= (1 << 20) ? limit : defaults.maxFramePayload;
    const qint64 budget =
        settings.value(u"connection/maxTraceOctets"_s, defaults.maxTraceOctets).toLongLong();
    m_base.maxTraceOctets =
        budget >= (1 << 20) && budget <= (qint64(1) << 40) ? budget : defaults.maxTraceOctets;
    m_base.failOnViolation = settings.value(u"connection/failOnViolation"_s, true).toBool();
}

} // namespace wsi::gui
