// SPDX-License-Identifier: MIT
#pragma once

#include "session/session.h"
#include "trace/closing.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace wsi::cli {

// What `wsinspector-cli send` was asked to do.
struct SendOptions
{
    SessionSettings settings;
    StepList steps;
    double timeoutSeconds = 10;            // after the last step: close if still OPEN, then drop
    QString jsonFile;                      // --json FILE
    QString reportFile;                    // --report FILE (default: standard output)
    std::optional<bool> expectClosedByMe;  // --expect me|peer (default: derived, docs/closing.md)
    std::optional<QList<int>> expectCodes; // --expect-code 1000,1002 (default: derived)
    std::optional<bool> requireClean;      // --require-clean / --no-require-clean
    QString agent;                         // --agent NAME (default: the server's Server: header)
    QString captureFile;                   // --capture FILE: the pcapng written as it runs
    // --max-trace-octets N is settings.maxTraceOctets: the trace's budget (docs/cli.md, Memory).
};

// What `wsinspector-cli report` was asked to do: the reports of a saved capture.
struct ReportOptions
{
    QString captureFile; // the capture (pcapng) to read
    QString jsonFile;    // --json FILE
    QString reportFile;  // --report FILE (default: standard output)
    QString harFile;     // --har FILE: the connection as HAR 1.2 (the browsers' DevTools)
    QString htmlFile;    // --html FILE: the HTML report (a case's page, as `run` writes it)
    QString agent;       // --agent NAME (default: as the capture says)
    qint64 maxTraceOctets = Trace::kDefaultMaxStoredOctets; // --max-trace-octets N
};

// What `wsinspector-cli cases` lists.
struct CasesOptions
{
    QStringList patterns; // empty: every case of the library
    QStringList excludes;
};

// What `wsinspector-cli run` was asked to do: a selection of the case library against one server.
struct RunOptions
{
    SessionSettings settings;
    QStringList patterns;  // --cases (empty: every case)
    QStringList excludes;  // --exclude
    QStringList scenarios; // --scenario FILE: the user's own cases (scenarios with a case part)
    QString agent;         // --agent NAME (default: the server's Server: header)
    QString outdir = QStringLiteral("reports");
    QString captureDir; // --capture-dir DIR: one pcapng per case, written as it runs
    int jobs = 1;
};

struct EchoServerOptions
{
    quint16 port = 0;
    bool tls = false;
};

struct Command
{
    enum class Kind { Help, Version, EchoServer, Send, Cases, Run, Demo, Report };
    Kind kind = Kind::Help;
    SendOptions send;
    ReportOptions report;
    CasesOptions cases;
    RunOptions run;
    EchoServerOptions echo;
};

struct ParseResult
{
    Command command;
    QString error; // one line naming the bad part; empty when parsing succeeded
    [[nodiscard]] bool ok() const { return error.isEmpty(); }
};

// args without the program name.
[[nodiscard]] ParseResult parseCommandLine(const QStringList &args);

// SPEC: comma-separated opcode=, fin=0|1, rsv=0..7, mask=auto|none|HEX8|bit, text=, hex=,
// repeat=N, len=auto|7|16|64|N|decl:N, chop=N, chopdelay=MS, sync. Escapes in text values:
// \, \: \\ \n \r \t \xHH. Returns the error text (empty on success).
[[nodiscard]] QString parseFrameSpec(const QString &spec, FrameSpec &out,
                                     int *chopDelayMs = nullptr);

// Decodes the escapes above; error text on a bad escape.
[[nodiscard]] QString unescape(QStringView text, QByteArray &out);

// The inverse of unescape(): octets as a TEXT value. \ , : = are escaped (so the value is safe in
// a SPEC, a --message and a close reason alike), \n \r \t and the other control characters and
// every octet that is not part of valid UTF-8 are written as escapes (\xHH).
[[nodiscard]] QString escapeText(QByteArrayView octets);

// The `send` step arguments that parse back to `step` (parseCommandLine() of
// `send URL <arguments>` gives the same Step): e.g. {"--frame", "opcode=text,fin=1,mask=none,
// text=Hello"}, {"--close", "1000:bye"}. Empty, with `error` saying why, for what the grammar
// cannot state: the streaming steps, a Delay's tag, a chopped or synced Message, Ping or Pong, a
// close reason without a code, a frame that does not validate.
[[nodiscard]] QStringList stepArguments(const Step &step, QString *error = nullptr);

// The expectation for the verdict from the options and the steps.
// What --expect, --expect-code, --require-clean (or a scenario's expectClose) state of the close;
// unset fields are derived from what the session did.
[[nodiscard]] ExpectedCloseOverride closeOverrideFor(const SendOptions &options);

[[nodiscard]] QString usageText();

} // namespace wsi::cli
