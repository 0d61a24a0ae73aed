// SPDX-License-Identifier: MIT
// The layers of app/ keep to their rule (app/core/CMakeLists.txt): each folder includes only the
// folders below it and only the Qt modules its library links; core includes name their folder;
// every source file is listed in a CMakeLists.txt (the lists are explicit, not globs).
#include <QtTest>

#include <QDirIterator>
#include <QLibraryInfo>
#include <QRegularExpression>

#include <algorithm>
#include <map>
#include <set>

using namespace Qt::StringLiterals;

namespace {

QString repoRoot()
{
    return QDir::cleanPath(QStringLiteral(WSI_TESTS_DIR) + u"/.."_s);
}

struct Include
{
    QString file; // relative to the repository root
    int line = 0;
    QString name; // as written between the quotes or brackets
    bool quoted = false;
};

struct Layer
{
    QString folder;           // relative to app/
    QStringList mayInclude;   // folders (relative to app/) whose headers it may name
    QStringList qtModules;    // Qt modules whose headers it may include
    QStringList otherAllowed; // other bracket includes allowed beyond the standard library
};

// The rule, from the bottom up. "core/protocol" headers are included as "protocol/x.h".
const std::vector<Layer> &layers()
{
    static const std::vector<Layer> rule{
        // zlib in the protocol layer only: permessage-deflate (RFC 7692).
        {u"core/protocol"_s, {u"protocol"_s}, {u"QtCore"_s}, {u"emmintrin.h"_s, u"zlib.h"_s}},
        {u"core/trace"_s, {u"protocol"_s, u"trace"_s}, {u"QtCore"_s}, {u"sys/"_s}},
        {u"core/capture"_s, {u"protocol"_s, u"trace"_s, u"capture"_s}, {u"QtCore"_s}, {}},
        {u"core/session"_s,
         {u"protocol"_s, u"trace"_s, u"session"_s},
         {u"QtCore"_s, u"QtNetwork"_s},
         {u"openssl/"_s, u"sys/"_s, u"unistd.h"_s, u"fcntl.h"_s, u"netinet/"_s}},
        {u"core/suite"_s,
         {u"protocol"_s, u"trace"_s, u"session"_s, u"suite"_s},
         {u"QtCore"_s, u"QtNetwork"_s},
         {}},
        {u"echo"_s, {u"echo"_s}, {u"QtCore"_s, u"QtNetwork"_s, u"QtWebSockets"_s}, {}},
        {u"cli"_s,
         {u"protocol"_s, u"trace"_s, u"capture"_s, u"session"_s, u"suite"_s, u"cli"_s, u"echo"_s},
         {u"QtCore"_s, u"QtNetwork"_s},
         {u"unistd.h"_s, u"sys/"_s, u"csignal"_s, u"signal.h"_s}},
        {u"gui"_s,
         {u"protocol"_s, u"trace"_s, u"capture"_s, u"session"_s, u"suite"_s, u"cli"_s, u"echo"_s,
          u"gui"_s},
         {u"QtCore"_s, u"QtNetwork"_s, u"QtGui"_s, u"QtWidgets"_s},
         {u"ui_"_s, u"malloc.h"_s}},
    };
    return rule;
}

// The source files under app/ (relative to the repository root).
QStringList appSources()
{
    const QDir root(repoRoot());
    QStringList files;
    QDirIterator it(root.filePath(u"app"_s), {u"*.cpp"_s, u"*.h"_s}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        files << root.relativeFilePath(it.next());
    files.sort();
    return files;
}

QList<Include> includesOf(const QString &relative)
{
    QFile file(QDir(repoRoot()).filePath(relative));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    static const QRegularExpression pattern(uR"(^\s*#\s*include\s*([<"])([^>"]+)[>"])"_s);
    QList<Include> result;
    int line = 0;
    while (!file.atEnd()) {
        ++line;
        const QString text = QString::fromUtf8(file.readLine());
        const QRegularExpressionMatch m = pattern.match(text);
        if (m.hasMatch())
            result.push_back({relative, line, m.captured(2), m.captured(1) == u"\""_s});
    }
    return result;
}

// The Qt module that provides the header <name> (QtCore for <QString>, QtNetwork for
// <QSslSocket>, or a module folder named in the include), empty when it is not a Qt header.
QString qtModuleOf(const QString &name)
{
    if (name.startsWith(u"Qt"_s) && name.contains(u'/'))
        return name.section(u'/', 0, 0);
    if (!name.startsWith(u'Q') || name.contains(u'.'))
        return {};
    const QDir headers(QLibraryInfo::path(QLibraryInfo::HeadersPath));
    for (const QString &module : {u"QtCore"_s, u"QtNetwork"_s, u"QtGui"_s, u"QtWidgets"_s,
                                  u"QtWebSockets"_s, u"QtTest"_s}) {
        if (headers.exists(module + u'/' + name))
            return module;
    }
    return u"(unknown Qt module)"_s;
}

const Layer *layerOf(const QString &relative)
{
    const Layer *best = nullptr;
    for (const Layer &layer : layers()) {
        if (relative.startsWith(u"app/"_s + layer.folder + u'/') &&
            (!best || layer.folder.size() > best->folder.size()))
            best = &layer;
    }
    return best;
}

// "protocol/frame.h" -> "protocol"; a core folder is named without its "core/".
QString folderOf(const QString &quoted)
{
    return quoted.contains(u'/') ? quoted.section(u'/', 0, 0) : QString();
}

QString where(const Include &inc)
{
    return inc.file + u':' + QString::number(inc.line) + u": " + inc.name;
}

} // namespace

class tst_Layers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everySourceHasALayer()
    {
        const QStringList files = appSources();
        QVERIFY2(files.size() > 80, qPrintable(u"only %1 files under app/"_s.arg(files.size())));
        QStringList orphans;
        for (const QString &file : files) {
            if (!layerOf(file) && file != u"app/main.cpp"_s)
                orphans << file;
        }
        QVERIFY2(orphans.isEmpty(),
                 qPrintable(u"outside every layer folder: "_s + orphans.join(u", "_s)));
        // The core has no loose files: each belongs to one of its five libraries.
        const QDir core(QDir(repoRoot()).filePath(u"app/core"_s));
        QCOMPARE(core.entryList({u"*.cpp"_s, u"*.h"_s}, QDir::Files), QStringList());
    }

    void includesKeepToTheLayers()
    {
        QStringList violations;
        int checked = 0;
        for (const QString &file : appSources()) {
            const Layer *layer = layerOf(file);
            if (!layer)
                continue;
            const bool inCore = file.startsWith(u"app/core/"_s);
            const QString ownFolder = layer->folder.section(u'/', -1);
            for (const Include &inc : includesOf(file)) {
                ++checked;
                if (inc.quoted) {
                    if (inc.name.endsWith(u".moc"_s) || inc.name.startsWith(u"moc_"_s) ||
                        inc.name.startsWith(u"ui_"_s))
                        continue;
                    const QString folder = folderOf(inc.name);
                    if (folder.isEmpty()) {
                        // A sibling in the same folder: allowed outside the core only; a core
                        // line says which layer it reaches into.
                        if (inCore)
                            violations << where(inc) + u" (name the folder)"_s;
                        else if (!QFileInfo::exists(QFileInfo(QDir(repoRoot()).filePath(file))
                                                        .dir()
                                                        .filePath(inc.name)))
                            violations << where(inc) + u" (no such sibling)"_s;
                        continue;
                    }
                    if (!layer->mayInclude.contains(folder))
                        violations << where(inc) + u" (layer "_s + ownFolder +
                                          u" may not include "_s + folder + u')';
                    continue;
                }
                const QString module = qtModuleOf(inc.name);
                if (!module.isEmpty()) {
                    if (!layer->qtModules.contains(module))
                        violations << where(inc) + u" ("_s + module + u" is not linked by "_s +
                                          ownFolder + u')';
                    continue;
                }
                // Not Qt: the C++ standard library (no dot, no slash) or one of the layer's own.
                if (!inc.name.contains(u'.') && !inc.name.contains(u'/'))
                    continue;
                const bool allowed =
                    std::any_of(layer->otherAllowed.cbegin(), layer->otherAllowed.cend(),
                                [&](const QString &prefix) { return inc.name.startsWith(prefix); });
                if (!allowed)
                    violations << where(inc) + u" (not a library of "_s + ownFolder + u')';
            }
        }
        QVERIFY2(checked > 300, qPrintable(u"only %1 includes read"_s.arg(checked)));
        QVERIFY2(violations.isEmpty(), qPrintable(violations.join(u'\n')));
    }

    // The check above must be able to fail: a protocol file including the trace, or QtNetwork,
    // or a bare core include, is each caught.
    void theRuleCatchesAViolation()
    {
        const Layer *protocol = layerOf(u"app/core/protocol/frame.h"_s);
        QVERIFY(protocol);
        QVERIFY(!protocol->mayInclude.contains(folderOf(u"trace/trace.h"_s)));
        QCOMPARE(qtModuleOf(u"QSslSocket"_s), u"QtNetwork"_s);
        QCOMPARE(qtModuleOf(u"QString"_s), u"QtCore"_s);
        QCOMPARE(qtModuleOf(u"QWidget"_s), u"QtWidgets"_s);
        QVERIFY(!protocol->qtModules.contains(qtModuleOf(u"QTcpSocket"_s)));
        QVERIFY(folderOf(u"frame.h"_s).isEmpty());
        // zlib is the protocol layer's alone: the layers above use its permessage-deflate API.
        QVERIFY(protocol->otherAllowed.contains(u"zlib.h"_s));
        const Layer *trace = layerOf(u"app/core/trace/trace.h"_s);
        QVERIFY(trace && !trace->otherAllowed.contains(u"zlib.h"_s));
        const Layer *gui = layerOf(u"app/gui/mainwindow.cpp"_s);
        QVERIFY(gui && gui->folder == u"gui"_s);
        const Layer *suite = layerOf(u"app/core/suite/cases.h"_s);
        QVERIFY(suite && !suite->mayInclude.contains(u"gui"_s));
    }

    // Explicit source lists: every .cpp and .h of app/, tests/ and bench/ is named in the
    // CMakeLists.txt of its folder or a parent, and no CMakeLists.txt globs.
    void everyFileIsListed()
    {
        const QDir root(repoRoot());
        std::map<QString, QString> lists; // CMakeLists.txt path -> text
        QDirIterator it(repoRoot(), {u"CMakeLists.txt"_s}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = root.relativeFilePath(it.next());
            if (path.startsWith(u"build"_s))
                continue;
            QFile file(root.filePath(path));
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QString text = QString::fromUtf8(file.readAll());
            static const QRegularExpression glob(u"file\\s*\\(\\s*GLOB"_s);
            QVERIFY2(!glob.match(text).hasMatch(), qPrintable(path + u" globs its sources"_s));
            lists[path] = text;
        }
        QVERIFY(lists.size() >= 5);
        QStringList unlisted;
        for (const QString &top : {u"app"_s, u"tests"_s, u"bench"_s}) {
            QDirIterator src(root.filePath(top), {u"*.cpp"_s, u"*.h"_s}, QDir::Files,
                             QDirIterator::Subdirectories);
            while (src.hasNext()) {
                const QString path = root.relativeFilePath(src.next());
                const QString base = QFileInfo(path).completeBaseName();
                bool found = false;
                for (const auto &[list, text] : lists) {
                    const QString dir = QFileInfo(list).path();
                    if (dir != u"."_s && !path.startsWith(dir + u'/'))
                        continue;
                    // Named whole (relative to the list's folder) or, for a test loop, by its
                    // base name as a word of a list.
                    const QString relative = dir == u"."_s ? path : path.mid(dir.size() + 1);
                    const QRegularExpression word(
                        u"(^|[\\s/(])"_s + QRegularExpression::escape(base) + u"($|[\\s)])"_s,
                        QRegularExpression::MultilineOption);
                    const bool testOrBench =
                        path.startsWith(u"tests/"_s) || path.startsWith(u"bench/"_s);
                    if (text.contains(relative) || (testOrBench && word.match(text).hasMatch())) {
                        found = true;
                        break;
                    }
                }
                if (!found)
                    unlisted << path;
            }
        }
        QVERIFY2(unlisted.isEmpty(),
                 qPrintable(u"not named in any CMakeLists.txt: "_s + unlisted.join(u", "_s)));
    }
};

QTEST_GUILESS_MAIN(tst_Layers)
#include "tst_layers.moc"
