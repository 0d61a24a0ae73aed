// SPDX-License-Identifier: MIT
// The repository stands alone: no file cites a document outside it, and every section a comment
// or a page cites (a docs page and a section number) is a numbered heading of that page.
#include <QtTest>

#include <QDirIterator>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace {

QString repoRoot()
{
    return QDir::cleanPath(QStringLiteral(WSI_TESTS_DIR) + u"/.."_s);
}

// The files checked, relative to the repository root: everything under the source folders and
// the top-level files that cite documents.
QStringList checkedFiles(const QStringList &folders, const QStringList &topLevel)
{
    const QDir root(repoRoot());
    QStringList files;
    for (const QString &folder : folders) {
        QDirIterator it(root.filePath(folder), QDir::Files | QDir::Hidden,
                        QDirIterator::Subdirectories);
        while (it.hasNext())
            files << root.relativeFilePath(it.next());
    }
    for (const QString &file : topLevel) {
        if (root.exists(file))
            files << file;
    }
    files.sort();
    return files;
}

QByteArray readAll(const QString &relative)
{
    QFile file(QDir(repoRoot()).filePath(relative));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace

class tst_Docs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void noOutsideDocument()
    {
        // Built from pieces so that this file does not match itself.
        const QList<QByteArray> forbidden{QByteArray("autobahn") + "-semantics",
                                          QByteArray("..") + "/shared"};
        const QStringList files = checkedFiles({u"app"_s, u"tests"_s, u"bench"_s, u"docs"_s},
                                               {u"README.md"_s, u"CMakeLists.txt"_s});
        QVERIFY2(files.size() > 50, qPrintable(u"only %1 files found"_s.arg(files.size())));
        QStringList hits;
        for (const QString &file : files) {
            const QByteArray content = readAll(file);
            for (const QByteArray &word : forbidden) {
                if (content.contains(word))
                    hits << file + u": "_s + QString::fromLatin1(word);
            }
        }
        QVERIFY2(hits.isEmpty(), qPrintable(hits.join(u'\n')));
    }

    void citedSectionsExist()
    {
        // "docs/PAGE.md" followed by one or more section numbers: "§2", "§2.3, §2.4", "§1–§3".
        static const QRegularExpression citation(
            u"docs/([A-Za-z0-9_-]+)\\.md((?:(?:, | and |–|-| )§\\d+(?:\\.\\d+)*)+)"_s);
        static const QRegularExpression section(u"§(\\d+(?:\\.\\d+)*)"_s);
        const QStringList files = checkedFiles({u"app"_s, u"tests"_s, u"docs"_s}, {u"README.md"_s});
        QHash<QString, QString> pages; // page name → its text
        QStringList missing;
        int cited = 0;
        for (const QString &file : files) {
            if (!file.endsWith(u".h"_s) && !file.endsWith(u".cpp"_s) && !file.endsWith(u".md"_s) &&
                !file.endsWith(u".txt"_s))
                continue;
            const QString text = QString::fromUtf8(readAll(file));
            auto matches = citation.globalMatch(text);
            while (matches.hasNext()) {
                const QRegularExpressionMatch m = matches.next();
                const QString page = m.captured(1);
                if (!pages.contains(page)) {
                    const QByteArray content = readAll(u"docs/"_s + page + u".md"_s);
                    pages.insert(page, QString::fromUtf8(content));
                }
                const QString &doc = pages[page];
                const int line = int(text.left(m.capturedStart()).count(u'\n')) + 1;
                const QString where =
                    file + u':' + QString::number(line) + u": docs/"_s + page + u".md"_s;
                if (doc.isEmpty()) {
                    missing << where + u" does not exist"_s;
                    continue;
                }
                auto numbers = section.globalMatch(m.captured(2));
                while (numbers.hasNext()) {
                    const QString number = numbers.next().captured(1);
                    ++cited;
                    // "## 2. Title" or "### 2.3 Title".
                    const QRegularExpression heading(
                        u"^#{2,6} "_s + QRegularExpression::escape(number) + u"\\.? "_s,
                        QRegularExpression::MultilineOption);
                    if (!heading.match(doc).hasMatch())
                        missing << where + u" has no section "_s + number;
                }
            }
        }
        QVERIFY2(cited > 100, qPrintable(u"only %1 cited sections found"_s.arg(cited)));
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(u'\n')));
    }

    void pagesAreNumbered()
    {
        // The pages code cites give every section a number, so that a citation stays exact.
        for (const QString &page : {u"captures"_s, u"cases"_s, u"closing"_s, u"deflate"_s,
                                    u"proxies"_s, u"reports"_s, u"sending"_s, u"tls"_s}) {
            const QString doc = QString::fromUtf8(readAll(u"docs/"_s + page + u".md"_s));
            QVERIFY2(!doc.isEmpty(), qPrintable(page));
            static const QRegularExpression anyHeading(u"^(#{2,6}) (.*)$"_s,
                                                       QRegularExpression::MultilineOption);
            static const QRegularExpression numbered(u"^\\d+(\\.\\d+)*\\.? "_s);
            auto headings = anyHeading.globalMatch(doc);
            while (headings.hasNext()) {
                const QString title = headings.next().captured(2);
                QVERIFY2(numbered.match(title).hasMatch(),
                         qPrintable(page + u".md: unnumbered heading '"_s + title + u'\''));
            }
        }
    }
};

QTEST_GUILESS_MAIN(tst_Docs)
#include "tst_docs.moc"
