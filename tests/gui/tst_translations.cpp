// SPDX-License-Identifier: MIT
// The German translation is complete and stays complete: every message of
// translations/wsinspector_de.ts is finished; lupdate, run here on the window's sources, finds no
// tr() string the .ts lacks (so a new string without a German translation fails this test); the
// translations keep the placeholders, accelerators and shortcut names of their sources; and the
// .ts, compiled with lrelease, translates the real window, in whose menus, composer, sequence
// editor and connection bar no two entries then share an accelerator letter.
#include "gui/composerwidget.h"
#include "gui/connectionbar.h"
#include "gui/format.h"
#include "gui/mainwindow.h"
#include "gui/sequencewidget.h"

#include <QAbstractButton>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QKeySequence>
#include <QLabel>
#include <QLibraryInfo>
#include <QMenu>
#include <QMenuBar>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTranslator>
#include <QtTest>
#include <QXmlStreamReader>

#include <memory>

using namespace wsi::gui;
using namespace Qt::StringLiterals;

namespace {

const QString kRepoRoot = QDir::cleanPath(QStringLiteral(WSI_TESTS_DIR "/.."));
const QString kTsFile = kRepoRoot + u"/translations/wsinspector_de.ts"_s;

struct Message
{
    QString context;
    QString source;
    QString comment; // lupdate's disambiguation: part of a message's identity
    QString type;    // the <translation> type attribute: "", "unfinished", "vanished", "obsolete"
    bool numerus = false;
    QStringList translations; // one entry, or one per <numerusform>

    [[nodiscard]] QString key() const { return context + u'\x1f' + source + u'\x1f' + comment; }
    [[nodiscard]] QString where() const
    {
        return context + u": \""_s + source + u'"' +
               (comment.isEmpty() ? QString() : u" ("_s + comment + u')');
    }
    [[nodiscard]] bool finished() const
    {
        if (!type.isEmpty() || translations.isEmpty())
            return false;
        // German has two plural forms (one, other).
        if (numerus && translations.size() != 2)
            return false;
        for (const QString &t : translations) {
            if (t.isEmpty())
                return false;
        }
        return true;
    }
};

struct TsFile
{
    QString language;
    QList<Message> messages;
    QString error;
};

TsFile readTs(const QString &path)
{
    TsFile ts;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        ts.error = u"cannot open %1: %2"_s.arg(path, file.errorString());
        return ts;
    }
    QXmlStreamReader xml(&file);
    QString context;
    Message message;
    bool inMessage = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            const QStringView name = xml.name();
            if (name == u"TS") {
                ts.language = xml.attributes().value(u"language"_s).toString();
            } else if (name == u"name" && !inMessage) {
                context = xml.readElementText();
            } else if (name == u"message") {
                inMessage = true;
                message = Message{};
                message.context = context;
                message.numerus = xml.attributes().value(u"numerus"_s) == u"yes";
            } else if (inMessage && name == u"source") {
                message.source = xml.readElementText();
            } else if (inMessage && name == u"comment") {
                message.comment = xml.readElementText();
            } else if (inMessage && name == u"translation") {
                message.type = xml.attributes().value(u"type"_s).toString();
                if (!message.numerus)
                    message.translations << xml.readElementText();
            } else if (inMessage && name == u"numerusform") {
                message.translations << xml.readElementText();
            }
        } else if (xml.isEndElement() && xml.name() == u"message") {
            ts.messages << message;
            inMessage = false;
        }
    }
    if (xml.hasError())
        ts.error = u"%1:%2: %3"_s.arg(path).arg(xml.lineNumber()).arg(xml.errorString());
    return ts;
}

// A Qt tool (lupdate, lrelease): next to this Qt's binaries first, then on PATH.
QString findQtTool(const QString &name)
{
#ifdef Q_OS_WIN
    const QString exe = name + u".exe"_s;
#else
    const QString exe = name;
#endif
    const QStringList dirs = {QLibraryInfo::path(QLibraryInfo::BinariesPath),
                              QLibraryInfo::path(QLibraryInfo::LibraryExecutablesPath),
                              u"/usr/lib/qt6/bin"_s};
    for (const QString &dir : dirs) {
        const QFileInfo info(dir + u'/' + exe);
        if (!dir.isEmpty() && info.isFile() && info.isExecutable())
            return info.absoluteFilePath();
    }
    for (const QString &candidate : QStringList{name + u"6"_s, name + u"-qt6"_s, name}) {
        const QString path = QStandardPaths::findExecutable(candidate);
        if (!path.isEmpty())
            return path;
    }
    return {};
}

// Runs a tool to completion; returns its error output when it fails.
QString run(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start(program, arguments);
    if (!process.waitForStarted(30000))
        return u"%1 did not start: %2"_s.arg(program, process.errorString());
    if (!process.waitForFinished(300000))
        return u"%1 did not finish: %2"_s.arg(program, process.errorString());
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        return u"%1 failed (exit code %2): %3"_s.arg(program)
            .arg(process.exitCode())
            .arg(QString::fromLocal8Bit(process.readAllStandardError()));
    }
    return {};
}

// The sources the app's CMake hands to lupdate: app/gui/*.cpp, app/gui/*.h, ui/*.ui, app/main.cpp.
QStringList translatedSources()
{
    QStringList files;
    const QDir gui(kRepoRoot + u"/app/gui"_s);
    for (const QString &f : gui.entryList({u"*.cpp"_s, u"*.h"_s}, QDir::Files, QDir::Name))
        files << gui.filePath(f);
    const QDir ui(kRepoRoot + u"/ui"_s);
    for (const QString &f : ui.entryList({u"*.ui"_s}, QDir::Files, QDir::Name))
        files << ui.filePath(f);
    files << kRepoRoot + u"/app/main.cpp"_s;
    return files;
}

QStringList placeholders(const QString &text)
{
    static const QRegularExpression re(u"%L?(\\d{1,2})"_s);
    QStringList found;
    for (auto it = re.globalMatch(text); it.hasNext();)
        found << it.next().captured(1);
    found.sort();
    found.removeDuplicates();
    return found;
}

bool hasMnemonic(const QString &text)
{
    return !QKeySequence::mnemonic(text).isEmpty();
}

// The keyboard shortcuts a text names, e.g. "(Ctrl+Return)": they stay untranslated.
QStringList shortcutNames(const QString &text)
{
    static const QRegularExpression re(u"\\b(?:Ctrl|Shift|Alt|Meta)\\+\\w+"_s);
    QStringList found;
    for (auto it = re.globalMatch(text); it.hasNext();)
        found << it.next().captured(0);
    return found;
}

// Widgets whose accelerators share one scope: buttons and labels with a buddy.
QStringList mnemonicClashes(const QWidget *scope, const QString &what)
{
    QHash<QKeySequence, QStringList> byKey;
    for (const QAbstractButton *button : scope->findChildren<QAbstractButton *>()) {
        const QKeySequence key = QKeySequence::mnemonic(button->text());
        if (!key.isEmpty())
            byKey[key] << button->text();
    }
    for (const QLabel *label : scope->findChildren<QLabel *>()) {
        const QKeySequence key = QKeySequence::mnemonic(label->text());
        if (!key.isEmpty() && label->buddy())
            byKey[key] << label->text();
    }
    QStringList clashes;
    for (auto it = byKey.cbegin(); it != byKey.cend(); ++it) {
        if (it.value().size() > 1) {
            clashes << u"%1, %2: %3"_s.arg(what, it.key().toString(QKeySequence::PortableText),
                                           it.value().join(u" | "_s));
        }
    }
    return clashes;
}

QStringList menuClashes(const QList<QAction *> &actions, const QString &what)
{
    QHash<QKeySequence, QStringList> byKey;
    QStringList clashes;
    for (const QAction *action : actions) {
        if (action->isSeparator())
            continue;
        const QKeySequence key = QKeySequence::mnemonic(action->text());
        if (!key.isEmpty())
            byKey[key] << action->text();
        if (const QMenu *sub = action->menu())
            clashes << menuClashes(sub->actions(), what + u" > "_s + action->text());
    }
    for (auto it = byKey.cbegin(); it != byKey.cend(); ++it) {
        if (it.value().size() > 1) {
            clashes << u"%1, %2: %3"_s.arg(what, it.key().toString(QKeySequence::PortableText),
                                           it.value().join(u" | "_s));
        }
    }
    return clashes;
}

} // namespace

class tst_Translations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // Its own settings: the window it builds must not touch what tst_mainwindow reads.
        QCoreApplication::setOrganizationName(u"WebSocketInspector-TranslationTests"_s);
        QSettings().clear();
        QVERIFY2(m_dir.isValid(), qPrintable(m_dir.errorString()));
    }

    // (a) Every message of the German .ts has a translation: none empty, unfinished, vanished or
    // obsolete.
    void tsFileIsComplete()
    {
        const TsFile ts = readTs(kTsFile);
        QVERIFY2(ts.error.isEmpty(), qPrintable(ts.error));
        QVERIFY2(ts.language.startsWith(u"de"_s),
                 qPrintable(u"language=\"%1\""_s.arg(ts.language)));
        QVERIFY2(!ts.messages.isEmpty(), "the .ts holds no messages: run the update_translations "
                                         "target");
        QStringList bad;
        for (const Message &m : ts.messages) {
            if (m.finished())
                continue;
            const QString why = !m.type.isEmpty() ? m.type
                                : m.numerus       ? u"needs 2 non-empty plural forms"_s
                                                  : u"empty"_s;
            bad << u"  [%1] %2"_s.arg(why, m.where());
        }
        QVERIFY2(bad.isEmpty(),
                 qPrintable(u"%1 of %2 messages in %3 are not translated:\n"_s.arg(bad.size())
                                .arg(ts.messages.size())
                                .arg(kTsFile) +
                            bad.join(u'\n')));
    }

    // The translations keep what must survive: %1…%n, an accelerator when the source has one
    // (and none when it has none), and the names of keyboard shortcuts.
    void translationsKeepPlaceholdersAndAccelerators()
    {
        const TsFile ts = readTs(kTsFile);
        QVERIFY2(ts.error.isEmpty(), qPrintable(ts.error));
        QStringList bad;
        for (const Message &m : ts.messages) {
            if (!m.finished())
                continue; // tsFileIsComplete() reports those
            for (const QString &t : m.translations) {
                if (placeholders(t) != placeholders(m.source)) {
                    bad << u"  placeholders %1 → %2 in %3"_s.arg(
                        placeholders(m.source).join(u','), placeholders(t).join(u','), m.where());
                }
                if (hasMnemonic(t) != hasMnemonic(m.source))
                    bad << u"  accelerator lost or added: \"%1\" in %2"_s.arg(t, m.where());
                for (const QString &shortcut : shortcutNames(m.source)) {
                    if (!t.contains(shortcut))
                        bad << u"  shortcut %1 changed: \"%2\" in %3"_s.arg(shortcut, t, m.where());
                }
            }
        }
        QVERIFY2(bad.isEmpty(), qPrintable(u"In %1:\n"_s.arg(kTsFile) + bad.join(u'\n')));
    }

    // (b) lupdate, run on the sources the CMake target translates, finds no string the German .ts
    // lacks or leaves unfinished. A new tr() without a translation fails here.
    void everySourceStringIsTranslated()
    {
        const QString lupdate = findQtTool(u"lupdate"_s);
        QVERIFY2(!lupdate.isEmpty(),
                 "lupdate not found (looked in QLibraryInfo's BinariesPath and "
                 "LibraryExecutablesPath, /usr/lib/qt6/bin and PATH): install Qt's linguist "
                 "tools (Debian: qt6-l10n-tools)");
        const QStringList sources = translatedSources();
        QVERIFY(sources.size() > 3);
        const QString extracted = m_dir.filePath(u"extracted_de.ts"_s);
        const QString error =
            run(lupdate, QStringList{u"-silent"_s, u"-no-obsolete"_s, u"-locations"_s, u"none"_s,
                                     u"-target-language"_s, u"de_DE"_s}
                             << sources << QStringList{u"-ts"_s, extracted});
        QVERIFY2(error.isEmpty(), qPrintable(error));

        const TsFile fresh = readTs(extracted);
        QVERIFY2(fresh.error.isEmpty(), qPrintable(fresh.error));
        // The window has hundreds of strings; a handful means lupdate read the wrong files.
        QVERIFY2(fresh.messages.size() > 100,
                 qPrintable(u"lupdate found only %1 messages"_s.arg(fresh.messages.size())));

        const TsFile ours = readTs(kTsFile);
        QVERIFY2(ours.error.isEmpty(), qPrintable(ours.error));
        QHash<QString, const Message *> byKey;
        for (const Message &m : ours.messages)
            byKey.insert(m.key(), &m);

        QStringList missing;
        QSet<QString> used;
        for (const Message &m : fresh.messages) {
            used.insert(m.key());
            const Message *translated = byKey.value(m.key());
            if (!translated)
                missing << u"  [missing] "_s + m.where();
            else if (!translated->finished())
                missing << u"  [not finished] "_s + m.where();
            else if (translated->numerus != m.numerus)
                missing << u"  [plural form changed] "_s + m.where();
        }
        QVERIFY2(missing.isEmpty(),
                 qPrintable(
                     u"%1 source string(s) lack a German translation; run the "
                     "update_translations target and translate them in %2:\n"_s.arg(missing.size())
                         .arg(kTsFile) +
                     missing.join(u'\n')));

        // Translations whose source string is gone do no harm; the next update_translations
        // (with -no-obsolete) drops them.
        for (const Message &m : ours.messages) {
            if (!used.contains(m.key()))
                qInfo("no longer in the sources: %s", qPrintable(m.where()));
        }
    }

    // (c) The .ts compiles and the compiled translation translates; the window built with it
    // shows German menus in which every entry has its own accelerator letter.
    void compiledTranslationTranslatesTheWindow()
    {
        const QString lrelease = findQtTool(u"lrelease"_s);
        QVERIFY2(!lrelease.isEmpty(),
                 "lrelease not found (looked in QLibraryInfo's BinariesPath and "
                 "LibraryExecutablesPath, /usr/lib/qt6/bin and PATH): install Qt's linguist "
                 "tools (Debian: qt6-l10n-tools)");
        const QString qm = m_dir.filePath(u"wsinspector_de.qm"_s);
        const QString error = run(lrelease, {u"-silent"_s, kTsFile, u"-qm"_s, qm});
        QVERIFY2(error.isEmpty(), qPrintable(error));

        auto translator = std::make_unique<QTranslator>();
        QVERIFY2(translator->load(qm), qPrintable(qm));
        QCOMPARE(translator->language(), u"de_DE"_s);
        QVERIFY(QCoreApplication::installTranslator(translator.get()));
        const auto uninstall =
            qScopeGuard([&translator] { QCoreApplication::removeTranslator(translator.get()); });

        // One string from each kind of source: a form, a widget's tr(), main.cpp.
        QCOMPARE(QCoreApplication::translate("MainWindow", "&File"), u"&Datei"_s);
        QCOMPARE(QCoreApplication::translate("ConnectionBar", "&Connect"), u"Ver&binden"_s);
        QCOMPARE(QCoreApplication::translate("wsi::gui::ConnectionBar", "&Disconnect"),
                 u"&Trennen"_s);
        QCOMPARE(QCoreApplication::translate("wsi::gui::StepDescription", "Normal Closure"),
                 u"Normales Schließen"_s);
        // The window's counted octets, through the formatting unit (German digit grouping
        // comes from the locale, not from the translation).
        QCOMPARE(format::octets(5), u"5 Oktette"_s);
        // Counted nouns take the German plural forms: one, other.
        QCOMPARE(format::octets(1), u"1 Oktett"_s);
        QCOMPARE(QCoreApplication::translate("wsi::gui::SequenceWidget", "%Ln step(s)", nullptr, 1),
                 u"1 Schritt"_s);
        QCOMPARE(QCoreApplication::translate("wsi::gui::SequenceWidget", "%Ln step(s)", nullptr, 3),
                 u"3 Schritte"_s);
        QCOMPARE(QCoreApplication::translate("main", "Do not start the embedded echo server."),
                 u"Den eingebauten Echo-Server nicht starten."_s);

        // Qt's own strings (dialog buttons, key names in menus) come from Qt's translation, which
        // the window loads as main.cpp does: Debian's qt6-translations-l10n (make deps installs
        // it).
        auto qtTranslator = std::make_unique<QTranslator>();
        QVERIFY2(qtTranslator->load(QLocale(QLocale::German), u"qtbase"_s, u"_"_s,
                                    QLibraryInfo::path(QLibraryInfo::TranslationsPath)),
                 qPrintable(u"no qtbase_de.qm in "_s +
                            QLibraryInfo::path(QLibraryInfo::TranslationsPath) +
                            u" (Debian: qt6-translations-l10n)"_s));
        QVERIFY(QCoreApplication::installTranslator(qtTranslator.get()));
        const auto uninstallQt = qScopeGuard(
            [&qtTranslator] { QCoreApplication::removeTranslator(qtTranslator.get()); });
        QDialogButtonBox buttons(QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults);
        QCOMPARE(buttons.button(QDialogButtonBox::Cancel)->text(), u"Abbrechen"_s);
        QCOMPARE(buttons.button(QDialogButtonBox::RestoreDefaults)->text(), u"Voreinstellungen"_s);

        MainWindow window;
        QCOMPARE(window.windowTitle(), u"WebSocket Inspector"_s);
        // Menus name the keys in German: "Strg+K", not "Ctrl+K".
        const auto *connectAction = window.findChild<QAction *>(u"actionConnect"_s);
        QVERIFY(connectAction);
        QCOMPARE(connectAction->shortcut().toString(QKeySequence::NativeText), u"Strg+K"_s);
        const auto *connect =
            window.connectionBar()->findChild<QAbstractButton *>(u"connectButton"_s);
        QVERIFY(connect);
        QCOMPARE(connect->text(), u"Ver&binden"_s);

        QStringList titles;
        for (const QAction *action : window.menuBar()->actions())
            titles << action->text();
        for (const QString &title :
             {u"&Datei"_s, u"&Verbindung"_s, u"&Senden"_s, u"&Ansicht"_s, u"&Hilfe"_s})
            QVERIFY2(titles.contains(title), qPrintable(titles.join(u", "_s)));
        QStringList clashes = menuClashes(window.menuBar()->actions(), u"menu bar"_s);
        // The composer and the sequence editor are panes of their own: no two of their
        // buttons and labels share a letter.
        clashes << mnemonicClashes(window.composer(), u"composer"_s)
                << mnemonicClashes(window.sequence(), u"sequence"_s)
                << mnemonicClashes(window.connectionBar(), u"connection bar"_s);
        const ConnectionSettingsDialog settings;
        clashes << mnemonicClashes(&settings, u"connection settings"_s);
        QVERIFY2(clashes.isEmpty(),
                 qPrintable(u"Accelerator clashes in German:\n  "_s + clashes.join(u"\n  "_s)));

        // The longer German texts still fit the default window: no horizontal scroll bar in the
        // composer, the sequence editor at least as wide as it needs.
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const auto *area = window.composer()->findChild<QScrollArea *>(u"scrollArea"_s);
        QVERIFY(area);
        QTRY_COMPARE(area->horizontalScrollBar()->maximum(), 0);
        QVERIFY2(window.sequence()->width() >= window.sequence()->minimumSizeHint().width(),
                 qPrintable(u"%1 < %2"_s.arg(window.sequence()->width())
                                .arg(window.sequence()->minimumSizeHint().width())));
    }

    // The source language too: no two entries of a menu, a pane or the settings dialog share an
    // accelerator letter, and counted nouns read as English without a translation loaded.
    void englishAcceleratorsAndPlurals()
    {
        MainWindow window;
        QStringList clashes = menuClashes(window.menuBar()->actions(), u"menu bar"_s);
        clashes << mnemonicClashes(window.composer(), u"composer"_s)
                << mnemonicClashes(window.sequence(), u"sequence"_s)
                << mnemonicClashes(window.connectionBar(), u"connection bar"_s);
        const ConnectionSettingsDialog settings;
        clashes << mnemonicClashes(&settings, u"connection settings"_s);
        QVERIFY2(clashes.isEmpty(),
                 qPrintable(u"Accelerator clashes:\n  "_s + clashes.join(u"\n  "_s)));

        QCOMPARE(format::resolvePlural(QCoreApplication::translate("wsi::gui::SequenceWidget",
                                                                   "%Ln step(s)", nullptr, 1),
                                       1),
                 u"1 step"_s);
        QCOMPARE(format::resolvePlural(QCoreApplication::translate("wsi::gui::SequenceWidget",
                                                                   "%Ln step(s)", nullptr, 2),
                                       2),
                 u"2 steps"_s);
        QCOMPARE(format::resolvePlural(QCoreApplication::translate("wsi::gui::SequenceWidget",
                                                                   "%Ln step(s)", nullptr, 0),
                                       0),
                 u"0 steps"_s);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(tst_Translations)
#include "tst_translations.moc"
