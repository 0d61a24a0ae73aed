// SPDX-License-Identifier: MIT
#include "suite/corpora.h"

#include <QFile>
#include <QHash>

using namespace Qt::StringLiterals;

namespace wsi {

const QList<CorpusInfo> &corpora()
{
    // The reference's WS_COMPRESSION_TESTDATA in its case order, with its descriptions.
    static const QList<CorpusInfo> list = {
        {u"data1.json"_s, u"Large JSON data file"_s, false, 194056},
        {u"lena512.bmp"_s, u"Lena Picture, Bitmap 512x512 bw"_s, true, 263222},
        {u"pg2229.txt"_s, u"Human readable text, Goethe's Faust I (German)"_s, true, 222218},
        {u"data1.html"_s, u"Large HTML file"_s, false, 263647},
        {u"10.1.1.105.5439.pdf"_s, u"A larger PDF"_s, true, 1042328},
    };
    return list;
}

const CorpusInfo *findCorpus(const QString &fileName)
{
    for (const CorpusInfo &c : corpora()) {
        if (c.fileName == fileName)
            return &c;
    }
    return nullptr;
}

QByteArray corpusData(const QString &fileName)
{
    // Filled once (thread-safe static initialisation); QByteArray copies share the octets.
    static const QHash<QString, QByteArray> data = [] {
        QHash<QString, QByteArray> out;
        for (const CorpusInfo &c : corpora()) {
            QFile f(u":/wsi/corpora/"_s + c.fileName);
            if (f.open(QIODevice::ReadOnly))
                out.insert(c.fileName, f.readAll());
        }
        return out;
    }();
    return data.value(fileName);
}

} // namespace wsi
