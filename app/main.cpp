// SPDX-License-Identifier: MIT
// wsinspector: the window. Starts the embedded echo server so a new user can press Connect and
// see frames at once; `wsinspector URL` opens with that URL instead.
#include "echo/echoserver.h"
#include "gui/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QTimer>
#include <QTranslator>

using namespace Qt::StringLiterals;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"WebSocketInspector"_s);
    QApplication::setApplicationName(u"wsinspector"_s);
    QApplication::setApplicationDisplayName(u"WebSocket Inspector"_s);
    QApplication::setApplicationVersion(QString::fromLatin1(WSI_VERSION)); // project()'s
    // The desktop file's name (window grouping on Wayland) and the window icon, as installed.
    QGuiApplication::setDesktopFileName(u"io.github.wsinspector.WebSocketInspector"_s);
    QApplication::setWindowIcon(
        QIcon(u":/icons/hicolor/256x256/io.github.wsinspector.WebSocketInspector.png"_s));

    // The language comes before anything that shows text: --lang overrides the system locale.
    QString lang;
    const QStringList args = QApplication::arguments();
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args[i] == u"--lang"_s && i + 1 < args.size())
            lang = args[i + 1];
        else if (args[i].startsWith(u"--lang="_s))
            lang = args[i].mid(7);
    }
    const QLocale locale = lang.isEmpty() ? QLocale::system() : QLocale(lang);
    QLocale::setDefault(locale); // numbers follow the chosen language too
    QTranslator appTranslator;
    QTranslator qtTranslator;
    if (appTranslator.load(locale, u"wsinspector"_s, u"_"_s, u":/i18n"_s))
        QApplication::installTranslator(&appTranslator);
    if (qtTranslator.load(locale, u"qtbase"_s, u"_"_s,
                          QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(&qtTranslator);

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate(
        "main", "Debug WebSocket servers by hand: craft any frame, watch the wire."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(u"url"_s, QApplication::translate("main", "ws:// or wss:// URL "
                                                                           "to open"));
    const QCommandLineOption langOption(
        u"lang"_s, QApplication::translate("main", "Language of the window (e.g. de, en)."),
        u"code"_s);
    const QCommandLineOption noEcho(
        u"no-echo-server"_s,
        QApplication::translate("main", "Do not start the embedded echo server."));
    const QCommandLineOption connectOption(
        u"connect"_s, QApplication::translate("main", "Connect as soon as the window is shown."));
    parser.addOption(langOption);
    parser.addOption(noEcho);
    parser.addOption(connectOption);
    parser.process(app);

    wsi::EchoServer echo;
    if (!parser.isSet(noEcho))
        echo.listen();

    wsi::gui::MainWindow window(echo.url());
    if (!parser.positionalArguments().isEmpty())
        window.setUrl(parser.positionalArguments().constFirst());
    window.show();
    if (parser.isSet(connectOption))
        QTimer::singleShot(0, &window, &wsi::gui::MainWindow::connectToServer);
    return QApplication::exec();
}
