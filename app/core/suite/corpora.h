// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace wsi {

// The payload corpora of cases 12.x and 13.x (docs/cases.md §4.11): stand-ins of the reference
// suite's five files, of the same kinds and sizes, generated at build time by wsi_corpusgen
// (suite/corpusgen.cpp) and built into the library as the resources :/wsi/corpora/<fileName>.
struct CorpusInfo
{
    QString fileName;    // the reference's file name: "data1.json"
    QString description; // the reference's words for it: "Large JSON data file"
    bool binary = false; // sent as binary messages (false: text, and the file is ASCII)
    qint64 size = 0;     // octets
};

// The five, in the order of groups 12.1–12.5.
[[nodiscard]] const QList<CorpusInfo> &corpora();
[[nodiscard]] const CorpusInfo *findCorpus(const QString &fileName);
// The octets of a corpus (empty for an unknown name). Read once, then shared: callable from any
// thread.
[[nodiscard]] QByteArray corpusData(const QString &fileName);

} // namespace wsi
