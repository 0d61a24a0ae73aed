// SPDX-License-Identifier: MIT
// The Connection Settings dialog's TLS and proxy fields: what they make of SessionSettings, how a
// bad value is refused (said next to the fields, nothing the user typed lost), and their round
// trip through QSettings.
#include "gui/connectionbar.h"
#include "session/proxy.h"
#include "session/session.h"

#include "gui/guitestutils.h"

#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsi;
using namespace wsi::gui;

namespace {

using test::child;

} // namespace

class TestConnectionSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tlsFields();
    void tlsRefusedInline();
    void tlsRoundTrip();
    void proxyUrlAndFields();
    void proxyRefusedInline();
    void proxyRoundTrip();
};

void TestConnectionSettings::tlsFields()
{
    ConnectionSettingsDialog dialog;
    dialog.setSettings(SessionSettings());
    // The defaults: the URL's host as the name, ALPN http/1.1 as browsers offer it, any version.
    SessionSettings s;
    dialog.applyTo(s);
    QCOMPARE(s.tls, TlsOptions());
    QCOMPARE(child<QLineEdit>(&dialog, "alpnEdit")->text(), u"http/1.1"_s);
    QVERIFY(!child<QLineEdit>(&dialog, "sniEdit")->isEnabled());

    auto *sni = child<QComboBox>(&dialog, "sniCombo");
    sni->setCurrentIndex(sni->findData(1));
    QVERIFY(child<QLineEdit>(&dialog, "sniEdit")->isEnabled());
    child<QLineEdit>(&dialog, "sniEdit")->setText(u"example.com"_s);
    child<QLineEdit>(&dialog, "alpnEdit")->setText(u"h2, http/1.1"_s);
    auto *version = child<QComboBox>(&dialog, "tlsVersionCombo");
    version->setCurrentIndex(version->findData(int(TlsOptions::Version::Tls13)));
    child<QLineEdit>(&dialog, "keyLogEdit")->setText(u"/tmp/keys.log"_s);
    dialog.applyTo(s);
    QCOMPARE(s.tls.sni, std::optional<QString>(u"example.com"_s));
    QCOMPARE(s.tls.alpn, QStringList({u"h2"_s, u"http/1.1"_s}));
    QCOMPARE(s.tls.version, TlsOptions::Version::Tls13);
    QCOMPARE(s.tls.keyLogFile, u"/tmp/keys.log"_s);
    // "none": no name at all, which is not the same as the URL's host.
    sni->setCurrentIndex(sni->findData(2));
    dialog.applyTo(s);
    QCOMPARE(s.tls.sni, std::optional<QString>(QString()));
    // No ALPN offered.
    child<QLineEdit>(&dialog, "alpnEdit")->clear();
    dialog.applyTo(s);
    QVERIFY(s.tls.alpn.isEmpty());
}

void TestConnectionSettings::tlsRefusedInline()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ConnectionSettingsDialog dialog;
    dialog.setSettings(SessionSettings());
    dialog.show();
    auto *tabs = child<QTabWidget>(&dialog, "tabs");
    tabs->setCurrentIndex(0);
    auto *cert = child<QLineEdit>(&dialog, "clientCertEdit");
    const QString missing = dir.filePath(u"no-such-cert.pem"_s);
    cert->setText(missing);
    auto *error = child<QLabel>(&dialog, "tlsError");
    // OK is refused: the dialog stays, on the TLS tab, with the reason next to the fields.
    dialog.accept();
    QVERIFY(dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    QCOMPARE(tabs->currentWidget(), child<QWidget>(&dialog, "tlsTab"));
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(QFileInfo(missing).fileName()) ||
                 error->text().contains(u"certificate"_s, Qt::CaseInsensitive),
             qPrintable(error->text()));
    QCOMPARE(dialog.validationError(), error->text().mid(2));
    // Nothing lost: the path stays as typed, to be corrected.
    QCOMPARE(cert->text(), missing);

    // A file that is no certificate: named as such.
    QFile junk(dir.filePath(u"junk.pem"_s));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("not a certificate\n");
    junk.close();
    cert->setText(junk.fileName());
    QVERIFY(!error->isVisible()); // a correction clears the old message
    dialog.accept();
    QVERIFY(dialog.isVisible());
    QVERIFY(!error->text().isEmpty());

    // A name to send that is not one.
    cert->clear();
    auto *sni = child<QComboBox>(&dialog, "sniCombo");
    sni->setCurrentIndex(sni->findData(1));
    child<QLineEdit>(&dialog, "sniEdit")->setText(u"two words"_s);
    dialog.accept();
    QVERIFY(dialog.isVisible());
    QVERIFY2(error->text().contains(u"two words"_s), qPrintable(error->text()));

    // Fixed: OK closes.
    child<QLineEdit>(&dialog, "sniEdit")->setText(u"example.com"_s);
    dialog.accept();
    QVERIFY(!dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
}

void TestConnectionSettings::tlsRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(u"settings.ini"_s);
    SessionSettings s;
    s.tls.clientCertFile = u"/etc/client.pem"_s;
    s.tls.clientKeyFile = u"/etc/client.key"_s;
    s.tls.sni = QString(); // none
    s.tls.alpn = {u"h2"_s};
    s.tls.version = TlsOptions::Version::Tls12;
    s.tls.keyLogFile = u"/tmp/sslkeys.log"_s;
    {
        ConnectionBar bar;
        bar.setSettings(s);
        QSettings settings(file, QSettings::IniFormat);
        bar.saveSettings(settings);
    }
    ConnectionBar restored;
    {
        QSettings settings(file, QSettings::IniFormat);
        restored.restoreSettings(settings);
    }
    QCOMPARE(restored.settings().tls, s.tls);
    // And through the dialog's fields unchanged.
    ConnectionSettingsDialog dialog;
    dialog.setSettings(restored.settings());
    SessionSettings again;
    dialog.applyTo(again);
    QCOMPARE(again.tls, s.tls);
    QCOMPARE(child<QComboBox>(&dialog, "sniCombo")->currentData().toInt(), 2);

    // Unset (the URL's host) stays unset.
    s.tls = TlsOptions();
    ConnectionBar plain;
    plain.setSettings(s);
    {
        QSettings settings(file, QSettings::IniFormat);
        plain.saveSettings(settings);
    }
    ConnectionBar back;
    {
        QSettings settings(file, QSettings::IniFormat);
        back.restoreSettings(settings);
    }
    QCOMPARE(back.settings().tls, TlsOptions());
}

void TestConnectionSettings::proxyUrlAndFields()
{
    ConnectionSettingsDialog dialog;
    dialog.setSettings(SessionSettings());
    dialog.show();
    auto *url = child<QLineEdit>(&dialog, "proxyUrlEdit");
    auto *kind = child<QComboBox>(&dialog, "proxyKindCombo");
    auto *host = child<QLineEdit>(&dialog, "proxyHostEdit");
    auto *port = child<QSpinBox>(&dialog, "proxyPortSpin");
    auto *user = child<QLineEdit>(&dialog, "proxyUserEdit");
    auto *password = child<QLineEdit>(&dialog, "proxyPasswordEdit");
    auto *urlError = child<QLabel>(&dialog, "proxyUrlError");
    auto *tabs = child<QTabWidget>(&dialog, "tabs");
    tabs->setCurrentWidget(child<QWidget>(&dialog, "proxyTab"));
    QCOMPARE(url->text(), u"none"_s);
    QVERIFY(!host->isEnabled());

    // Typed as a URL: the fields follow.
    url->clear();
    QTest::keyClicks(url, u"socks5://alice:s3cret@proxy.example:1081"_s);
    QCOMPARE(kind->currentData().toInt(), int(ProxySettings::Kind::Socks5));
    QVERIFY(host->isEnabled());
    QCOMPARE(host->text(), u"proxy.example"_s);
    QCOMPARE(port->value(), 1081);
    QCOMPARE(user->text(), u"alice"_s);
    QCOMPARE(password->text(), u"s3cret"_s);
    QVERIFY(!urlError->isVisible());
    SessionSettings s;
    dialog.applyTo(s);
    QString error;
    QCOMPARE(s.proxy,
             *ProxySettings::fromUrl(u"socks5://alice:s3cret@proxy.example:1081"_s, &error));

    // A URL that does not parse: said beside it, the fields keep the last good proxy, the text
    // stays as typed.
    url->clear();
    QTest::keyClicks(url, u"ftp://proxy.example:21"_s);
    QVERIFY(urlError->isVisible());
    QVERIFY(!ProxySettings::fromUrl(u"ftp://proxy.example:21"_s, &error));
    QVERIFY2(urlError->text().contains(error), qPrintable(urlError->text()));
    QCOMPARE(url->text(), u"ftp://proxy.example:21"_s);
    QCOMPARE(host->text(), u"proxy.example"_s);
    QCOMPARE(port->value(), 1081);
    // OK refuses it, also from another tab, and brings the proxy's forward.
    tabs->setCurrentIndex(0);
    dialog.accept();
    QVERIFY(dialog.isVisible());
    QCOMPARE(tabs->currentWidget(), child<QWidget>(&dialog, "proxyTab"));

    // Set in the fields: the URL follows (without the password).
    kind->setCurrentIndex(kind->findData(int(ProxySettings::Kind::Http)));
    host->setText(u"127.0.0.1"_s);
    port->setValue(3128);
    user->clear();
    password->clear();
    ProxySettings http;
    http.kind = ProxySettings::Kind::Http;
    http.host = u"127.0.0.1"_s;
    http.port = 3128;
    QCOMPARE(url->text(), http.toUrl(false));
    QVERIFY(!urlError->isVisible());
    dialog.applyTo(s);
    QCOMPARE(s.proxy, http);

    // The system's settings, and none.
    kind->setCurrentIndex(kind->findData(int(ProxySettings::Kind::System)));
    QVERIFY(!host->isEnabled());
    QCOMPARE(url->text(), u"system"_s);
    dialog.applyTo(s);
    QCOMPARE(s.proxy.kind, ProxySettings::Kind::System);
    dialog.accept();
    QVERIFY(!dialog.isVisible());
}

void TestConnectionSettings::proxyRefusedInline()
{
    ConnectionSettingsDialog dialog;
    dialog.setSettings(SessionSettings());
    dialog.show();
    auto *kind = child<QComboBox>(&dialog, "proxyKindCombo");
    auto *error = child<QLabel>(&dialog, "proxyError");
    kind->setCurrentIndex(kind->findData(int(ProxySettings::Kind::Http)));
    // No host.
    dialog.accept();
    QVERIFY(dialog.isVisible());
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(u"host"_s), qPrintable(error->text()));
    // No port.
    child<QLineEdit>(&dialog, "proxyHostEdit")->setText(u"proxy.example"_s);
    QVERIFY(!error->isVisible());
    dialog.accept();
    QVERIFY(dialog.isVisible());
    QVERIFY2(error->text().contains(u"port"_s), qPrintable(error->text()));
    // A password without a user.
    child<QSpinBox>(&dialog, "proxyPortSpin")->setValue(8080);
    child<QLineEdit>(&dialog, "proxyPasswordEdit")->setText(u"pw"_s);
    dialog.accept();
    QVERIFY(dialog.isVisible());
    QVERIFY2(error->text().contains(u"user"_s), qPrintable(error->text()));
    // What was typed is all still there.
    QCOMPARE(child<QLineEdit>(&dialog, "proxyHostEdit")->text(), u"proxy.example"_s);
    QCOMPARE(child<QLineEdit>(&dialog, "proxyPasswordEdit")->text(), u"pw"_s);
    child<QLineEdit>(&dialog, "proxyUserEdit")->setText(u"bob"_s);
    dialog.accept();
    QVERIFY(!dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
}

void TestConnectionSettings::proxyRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(u"settings.ini"_s);
    SessionSettings s;
    s.proxy.kind = ProxySettings::Kind::Socks5;
    s.proxy.host = u"proxy.example"_s;
    s.proxy.port = 1080;
    s.proxy.user = u"alice"_s;
    s.proxy.password = u"s3cret"_s;
    {
        ConnectionBar bar;
        bar.setSettings(s);
        QSettings settings(file, QSettings::IniFormat);
        bar.saveSettings(settings);
    }
    // The password is not written to disk.
    QFile ini(file);
    QVERIFY(ini.open(QIODevice::ReadOnly));
    QVERIFY(!ini.readAll().contains("s3cret"));
    ConnectionBar restored;
    {
        QSettings settings(file, QSettings::IniFormat);
        restored.restoreSettings(settings);
    }
    ProxySettings expected = s.proxy;
    expected.password.clear();
    QCOMPARE(restored.settings().proxy, expected);
}

QTEST_MAIN(TestConnectionSettings)
#include "tst_connectionsettings.moc"
