// SPDX-License-Identifier: MIT
#pragma once
// A peer in a child process (a Python or openssl server) for tests: started, its port read from
// what it prints, its output kept, ended with the test.

#include <QProcess>
#include <QRegularExpression>
#include <QStringList>
#include <QTest>

namespace wsi::test {

// A server in a child process that prints its port first and more lines later.
struct ChildPeer
{
    QProcess process;
    QByteArray output;
    quint16 port = 0;

    bool start(const QString &program, const QStringList &arguments, const QString &portPattern)
    {
        process.setProcessChannelMode(QProcess::MergedChannels);
        QObject::connect(&process, &QProcess::readyRead, &process,
                         [this] { output += process.readAll(); });
        process.start(program, arguments);
        if (!process.waitForStarted(10000))
            return false;
        const QRegularExpression re(portPattern);
        (void)QTest::qWaitFor(
            [&] {
                const QRegularExpressionMatch m = re.match(QString::fromLatin1(output));
                if (m.hasMatch())
                    port = quint16(m.captured(1).toUInt());
                return port != 0 || process.state() == QProcess::NotRunning;
            },
            20000);
        return port != 0;
    }
    [[nodiscard]] QStringList lines() const
    {
        return QString::fromLatin1(output).split(u'\n', Qt::SkipEmptyParts);
    }
    [[nodiscard]] QStringList linesStarting(const QString &prefix) const
    {
        return lines().filter(
            QRegularExpression(QStringLiteral("^") + QRegularExpression::escape(prefix)));
    }
    ~ChildPeer()
    {
        process.closeWriteChannel(); // the Python peers end when their stdin closes
        if (!process.waitForFinished(5000))
            process.kill();
        process.waitForFinished(5000);
    }
};

} // namespace wsi::test
