// SPDX-License-Identifier: MIT
// wsi_corpusgen: writes the five payload corpora of cases 12.x and 13.x (docs/cases.md §4.11)
// into the directory given, at build time. The reference suite ships five files of its own (a
// JSON document, a 512×512 grey bitmap, a plain text book, an HTML page and a PDF); we generate
// stand-ins of the same kinds and the same sizes, so that the cases send the same lengths with
// the same ring-buffer wrap points. The content differs, so the compression ratios do too; the
// verdicts do not depend on it.
//
// Deterministic on every platform: one seeded 64-bit generator of our own (the distributions of
// <random> are implementation-defined), integer arithmetic only, every file written in binary.
// The text corpora (JSON, HTML) are ASCII only: a case sends any slice of a corpus as a text
// message, and a slice that cut a multi-octet UTF-8 sequence would be invalid UTF-8.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace {

// splitmix64: small, fast, and its output is fixed by its definition.
class Random
{
public:
    explicit Random(uint64_t seed) : m_state(seed) {}
    uint64_t next()
    {
        uint64_t z = (m_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // 0 … n-1 (the modulo bias is irrelevant here; what matters is that it is fixed)
    uint32_t below(uint32_t n) { return uint32_t(next() % n); }

private:
    uint64_t m_state;
};

// The reference corpora's sizes (docs/cases.md §4.11).
constexpr size_t kJsonSize = 194056;
constexpr size_t kBitmapSize = 263222;
constexpr size_t kTextSize = 222218;
constexpr size_t kHtmlSize = 263647;
constexpr size_t kPdfSize = 1042328;

const std::vector<std::string> &words()
{
    static const std::vector<std::string> list = {
        "the",      "of",       "and",     "to",       "in",       "a",        "is",
        "that",     "it",       "was",     "for",      "on",       "are",      "as",
        "with",     "his",      "they",    "at",       "be",       "this",     "from",
        "have",     "or",       "by",      "one",      "had",      "not",      "but",
        "what",     "all",      "were",    "when",     "we",       "there",    "can",
        "an",       "your",     "which",   "their",    "said",     "if",       "do",
        "will",     "each",     "about",   "how",      "up",       "out",      "them",
        "then",     "she",      "many",    "some",     "so",       "these",    "would",
        "other",    "into",     "has",     "more",     "her",      "two",      "like",
        "him",      "see",      "time",    "could",    "no",       "make",     "than",
        "first",    "been",     "its",     "who",      "now",      "people",   "my",
        "made",     "over",     "did",     "down",     "only",     "way",      "find",
        "use",      "may",      "water",   "long",     "little",   "very",     "after",
        "words",    "called",   "just",    "where",    "most",     "know",     "night",
        "spirit",   "scholar",  "study",   "heaven",   "earth",    "doctor",   "wisdom",
        "garden",   "street",   "morning", "evening",  "mountain", "river",    "window",
        "candle",   "library",  "book",    "letter",   "promise",  "wager",    "soul",
        "devil",    "angel",    "chorus",  "village",  "festival", "tavern",   "student",
        "question", "answer",   "shadow",  "light",    "fortune",  "pleasure", "sorrow",
        "memory",   "dream",    "journey", "stranger", "servant",  "master",   "knowledge",
        "nature",   "spring",   "summer",  "autumn",   "winter",   "silence",  "music",
        "ancient",  "restless", "quiet",   "bright",   "dark",     "golden",   "heavy",
        "gentle",   "bitter",   "strange", "faithful", "wandering"};
    return list;
}

const std::string &word(Random &r)
{
    return words()[r.below(uint32_t(words().size()))];
}

std::string capitalized(std::string w)
{
    if (!w.empty() && w[0] >= 'a' && w[0] <= 'z')
        w[0] = char(w[0] - 'a' + 'A');
    return w;
}

// A sentence of 4–18 words, capitalised, ending in '.', '!', '?' or ';'.
std::string sentence(Random &r)
{
    const uint32_t n = 4 + r.below(15);
    std::string s = capitalized(word(r));
    for (uint32_t i = 1; i < n; ++i) {
        s += (r.below(9) == 0) ? ", " : " ";
        s += word(r);
    }
    static const char ends[] = {'.', '.', '.', '.', '!', '?', ';'};
    s += ends[r.below(sizeof ends)];
    return s;
}

// Exactly `n` octets of prose (words and spaces), for the padding that makes a file's size exact.
std::string filler(Random &r, size_t n)
{
    std::string s;
    while (s.size() < n) {
        if (!s.empty())
            s += ' ';
        s += word(r);
    }
    s.resize(n);
    if (n > 0 && s[n - 1] == ' ')
        s[n - 1] = 'x'; // no trailing blank: the last field or paragraph ends in a letter
    return s;
}

// ---- data1.json: an array of customer-like records, pretty-printed, ASCII ----

std::string jsonRecord(Random &r, int id)
{
    static const char *cities[] = {"Berlin",    "Hamburg", "Munich",  "Cologne", "Frankfurt",
                                   "Stuttgart", "Leipzig", "Dresden", "Bremen",  "Hanover"};
    static const char *tags[] = {"alpha", "beta", "gamma",  "delta", "omega",  "prime",
                                 "basic", "gold", "silver", "new",   "legacy", "trial"};
    std::string s = "  {\n";
    s += "    \"id\": " + std::to_string(id) + ",\n";
    s += "    \"guid\": \"";
    for (int i = 0; i < 32; ++i) {
        s += "0123456789abcdef"[r.below(16)];
        if (i == 7 || i == 11 || i == 15 || i == 19)
            s += '-';
    }
    s += "\",\n";
    s += "    \"isActive\": " + std::string(r.below(2) ? "true" : "false") + ",\n";
    s += "    \"balance\": " + std::to_string(r.below(100000)) + "." +
         std::to_string(10 + r.below(90)) + ",\n";
    s += "    \"age\": " + std::to_string(18 + r.below(60)) + ",\n";
    const std::string first = capitalized(word(r));
    const std::string last = capitalized(word(r));
    s += "    \"name\": \"" + first + " " + last + "\",\n";
    s += "    \"email\": \"" + word(r) + "." + word(r) + "@example.com\",\n";
    s += "    \"address\": {\n";
    s += "      \"street\": \"" + std::to_string(1 + r.below(200)) + " " + capitalized(word(r)) +
         " Street\",\n";
    s += "      \"city\": \"" + std::string(cities[r.below(10)]) + "\",\n";
    s += "      \"zip\": \"" + std::to_string(10000 + r.below(89999)) + "\"\n";
    s += "    },\n";
    s += "    \"about\": \"" + sentence(r) + " " + sentence(r) + "\",\n";
    s += "    \"registered\": \"20" + std::to_string(10 + r.below(15)) + "-0" +
         std::to_string(1 + r.below(9)) + "-1" + std::to_string(r.below(10)) + "T0" +
         std::to_string(r.below(10)) + ":" + std::to_string(10 + r.below(50)) + ":" +
         std::to_string(10 + r.below(50)) + "Z\",\n";
    s += "    \"tags\": [";
    const uint32_t n = 1 + r.below(5);
    for (uint32_t i = 0; i < n; ++i) {
        s += (i ? ", \"" : "\"");
        s += tags[r.below(12)];
        s += "\"";
    }
    s += "],\n";
    s += "    \"friends\": [";
    const uint32_t f = r.below(4);
    for (uint32_t i = 0; i < f; ++i) {
        s += (i ? ", " : "");
        s += "{\"id\": " + std::to_string(i) + ", \"name\": \"" + capitalized(word(r)) + "\"}";
    }
    s += "]\n  }";
    return s;
}

std::string makeJson()
{
    Random r(0x4a534f4e); // "JSON"
    const std::string head = "[\n";
    const std::string tail = "\n]\n";
    // The last record carries a "note" whose length makes the size exact.
    const std::string padHead = "  {\n    \"id\": 0,\n    \"note\": \"";
    const std::string padTail = "\"\n  }";
    std::string body;
    int id = 1;
    for (;;) {
        const std::string rec = jsonRecord(r, id);
        const size_t after = head.size() + body.size() + rec.size() + 2 + padHead.size() +
                             padTail.size() + tail.size() + 64;
        if (after > kJsonSize)
            break;
        body += rec + ",\n";
        ++id;
    }
    const size_t fixed = head.size() + body.size() + padHead.size() + padTail.size() + tail.size();
    std::string pad = padHead;
    pad.replace(pad.find('0'), 1, std::to_string(id));
    const size_t fixedWithId = fixed + pad.size() - padHead.size();
    return head + body + pad + filler(r, kJsonSize - fixedWithId) + padTail + tail;
}

// ---- lena512.bmp: 512×512, 8 bits per pixel, a grey palette: 14 + 40 + 1024 + 262144 ----

void put16(std::string &s, uint32_t v)
{
    s += char(v & 0xff);
    s += char((v >> 8) & 0xff);
}
void put32(std::string &s, uint32_t v)
{
    put16(s, v & 0xffff);
    put16(s, v >> 16);
}

// A triangle wave of period 2 × `half`, 0 … 255: smooth bands without floating point.
int triangle(int t, int half)
{
    int m = t % (2 * half);
    if (m < 0)
        m += 2 * half;
    return (m < half ? m : 2 * half - m) * 255 / half;
}

std::string makeBitmap()
{
    constexpr int kSide = 512;
    constexpr uint32_t kHeaders = 14 + 40 + 256 * 4;
    std::string s;
    s.reserve(kBitmapSize);
    // BITMAPFILEHEADER
    s += "BM";
    put32(s, uint32_t(kBitmapSize));
    put32(s, 0);        // reserved
    put32(s, kHeaders); // offset of the pixels
    // BITMAPINFOHEADER
    put32(s, 40);
    put32(s, kSide);
    put32(s, kSide); // positive: rows bottom-up
    put16(s, 1);     // planes
    put16(s, 8);     // bits per pixel
    put32(s, 0);     // BI_RGB
    put32(s, kSide * kSide);
    put32(s, 2835); // 72 dpi
    put32(s, 2835);
    put32(s, 256); // colours used
    put32(s, 256); // important
    for (uint32_t i = 0; i < 256; ++i) {
        s += char(i);
        s += char(i);
        s += char(i);
        s += char(0);
    }
    // A photograph-like picture: overlapping soft shapes plus a little sensor noise, so that
    // deflate finds some structure but no long repeats. Rows are 512 octets (no padding).
    Random r(0x4c454e41); // "LENA"
    for (int y = 0; y < kSide; ++y) {
        for (int x = 0; x < kSide; ++x) {
            const int dx = x - 300;
            const int dy = y - 220;
            const int ring = triangle((dx * dx + dy * dy) / 97, 180);
            const int diagonal = triangle(x + 2 * y, 311);
            const int waves = triangle(x * 3 + triangle(y * 2, 57), 83);
            int v = (ring * 5 + diagonal * 2 + waves * 3) / 10;
            v += int(r.below(13)) - 6;
            s += char(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    return s;
}

// ---- pg2229.txt: a plain text book in the Gutenberg layout (CRLF, lines up to 72) ----

std::string makeText()
{
    Random r(0x54455854); // "TEXT"
    std::string s =
        "The Project Gutenberg stand-in of a book, generated for WebSocket Inspector\r\n"
        "\r\nThis text is made of common English words in random order.\r\n\r\n";
    int chapter = 1;
    while (s.size() < kTextSize) {
        s += "\r\nCHAPTER " + std::to_string(chapter++) + "\r\n\r\n";
        const uint32_t paragraphs = 3 + r.below(6);
        for (uint32_t p = 0; p < paragraphs && s.size() < kTextSize; ++p) {
            std::string line;
            const uint32_t sentences = 2 + r.below(7);
            for (uint32_t i = 0; i < sentences; ++i) {
                std::string w = sentence(r);
                size_t at = 0;
                while (at < w.size()) {
                    size_t end = w.find(' ', at);
                    if (end == std::string::npos)
                        end = w.size();
                    const std::string token = w.substr(at, end - at);
                    if (!line.empty() && line.size() + 1 + token.size() > 72) {
                        s += line + "\r\n";
                        line.clear();
                    }
                    line += (line.empty() ? "" : " ") + token;
                    at = end + 1;
                }
            }
            s += line + "\r\n\r\n";
        }
    }
    s.resize(kTextSize - 2);
    s += "\r\n";
    return s;
}

// ---- data1.html: a long document of headings, paragraphs, lists, tables and links ----

std::string makeHtml()
{
    Random r(0x48544d4c); // "HTML"
    const std::string head =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>Large HTML file</title>\n<style>\nbody { font-family: sans-serif; margin: 2em; "
        "}\ntable { border-collapse: collapse; }\ntd, th { border: 1px solid #999; padding: "
        "2px 6px; }\n.note { color: #555; }\n</style>\n</head>\n<body>\n";
    const std::string tail = "</body>\n</html>\n";
    const std::string lastOpen = "<p class=\"note\">";
    const std::string lastClose = "</p>\n";
    std::string body;
    int section = 1;
    for (;;) {
        std::string block = "<h2 id=\"s" + std::to_string(section) + "\">" + capitalized(word(r)) +
                            " " + word(r) + "</h2>\n";
        const uint32_t kind = r.below(4);
        if (kind == 0) {
            block += "<ul>\n";
            const uint32_t n = 3 + r.below(6);
            for (uint32_t i = 0; i < n; ++i)
                block += "  <li><a href=\"/" + word(r) + "/" + word(r) + ".html\">" + sentence(r) +
                         "</a></li>\n";
            block += "</ul>\n";
        } else if (kind == 1) {
            block += "<table>\n  <tr><th>Name</th><th>Count</th><th>Remark</th></tr>\n";
            const uint32_t n = 3 + r.below(8);
            for (uint32_t i = 0; i < n; ++i)
                block += "  <tr><td>" + capitalized(word(r)) + "</td><td>" +
                         std::to_string(r.below(10000)) + "</td><td>" + word(r) + " " + word(r) +
                         "</td></tr>\n";
            block += "</table>\n";
        } else {
            const uint32_t n = 1 + r.below(4);
            for (uint32_t i = 0; i < n; ++i) {
                block += "<p>";
                const uint32_t sentences = 2 + r.below(6);
                for (uint32_t j = 0; j < sentences; ++j)
                    block += (j ? " " : "") + sentence(r);
                block += "</p>\n";
            }
        }
        if (head.size() + body.size() + block.size() + lastOpen.size() + lastClose.size() +
                tail.size() + 64 >
            kHtmlSize)
            break;
        body += block;
        ++section;
    }
    const size_t fixed =
        head.size() + body.size() + lastOpen.size() + lastClose.size() + tail.size();
    return head + body + lastOpen + filler(r, kHtmlSize - fixed) + lastClose + tail;
}

// ---- 10.1.1.105.5439.pdf: a PDF 1.4 of text pages and raw RGB images, with a valid xref ----

std::string pdfTextPage(Random &r)
{
    std::string c = "BT\n/F1 11 Tf\n14 TL\n72 760 Td\n";
    for (int line = 0; line < 48; ++line) {
        std::string text = sentence(r);
        if (text.size() > 90)
            text.resize(90);
        c += "(" + text + ") Tj T*\n";
    }
    c += "ET\n";
    return c;
}

// Noisy pixel rows: the stand-in for a scanned figure (little for deflate to find).
std::string pdfImage(Random &r, int width, int height)
{
    std::string px;
    px.reserve(size_t(width) * size_t(height) * 3);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const int base = triangle(x * 5 + y * 3, 97);
            px += char((base + int(r.below(64))) & 0xff);
            px += char((base / 2 + int(r.below(128))) & 0xff);
            px += char(int(r.below(256)));
        }
    }
    return px;
}

std::string makePdf()
{
    Random r(0x50444621); // "PDF!"
    constexpr int kTextPages = 60;
    constexpr int kImagePages = 4;
    constexpr int kImageSide = 200;
    // Objects: 1 catalog, 2 pages, 3 font, then per text page (page, contents), per image page
    // (page, contents, image), then the padding object (metadata stream), then the info object.
    std::vector<std::string> objects;
    std::vector<int> kids;
    objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
    objects.push_back(""); // the page tree, filled in once the kids are known
    objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    auto stream = [](const std::string &dict, const std::string &data) {
        return "<< " + dict + "/Length " + std::to_string(data.size()) + " >>\nstream\n" + data +
               "\nendstream";
    };
    for (int p = 0; p < kTextPages + kImagePages; ++p) {
        const bool image = p % 16 == 15 && p / 16 < kImagePages;
        const int pageNo = int(objects.size()) + 1;
        kids.push_back(pageNo);
        std::string resources = "/Font << /F1 3 0 R >>";
        if (image)
            resources += " /XObject << /Im1 " + std::to_string(pageNo + 2) + " 0 R >>";
        objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << " +
                          resources + " >> /Contents " + std::to_string(pageNo + 1) + " 0 R >>");
        if (image) {
            objects.push_back(stream("", "q 400 0 0 400 106 196 cm /Im1 Do Q\n" + pdfTextPage(r)));
            objects.push_back(stream("/Type /XObject /Subtype /Image /Width " +
                                         std::to_string(kImageSide) + " /Height " +
                                         std::to_string(kImageSide) +
                                         " /ColorSpace /DeviceRGB /BitsPerComponent 8 ",
                                     pdfImage(r, kImageSide, kImageSide)));
        } else {
            objects.push_back(stream("", pdfTextPage(r)));
        }
    }
    std::string kidList;
    for (int k : kids)
        kidList += (kidList.empty() ? "" : " ") + std::to_string(k) + " 0 R";
    objects[1] =
        "<< /Type /Pages /Kids [" + kidList + "] /Count " + std::to_string(kids.size()) + " >>";
    const int padIndex = int(objects.size());
    objects.push_back(""); // the padding stream
    objects.push_back("<< /Producer (WebSocket Inspector corpus generator) /Title (A larger "
                      "PDF) >>");
    const int infoNo = int(objects.size());

    // The file for a given padding length; the xref holds the objects' real offsets.
    auto build = [&](size_t padLength, Random pr) {
        objects[size_t(padIndex)] =
            stream("/Type /Metadata /Subtype /XML ", "<?xpacket begin?><x:xmpmeta><!-- " +
                                                         filler(pr, padLength) +
                                                         " --></x:xmpmeta><?xpacket end?>");
        std::string f = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
        std::vector<size_t> offsets;
        for (size_t i = 0; i < objects.size(); ++i) {
            offsets.push_back(f.size());
            f += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
        }
        const size_t xref = f.size();
        f += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
        for (size_t o : offsets) {
            char entry[24];
            std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", o);
            f += entry;
        }
        f += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R /Info " +
             std::to_string(infoNo) + " 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
        return f;
    };
    const Random padRandom = r;
    size_t pad = 0;
    std::string file = build(pad, padRandom);
    // The padding's own length digits can change the size: settle in a few steps.
    for (int i = 0; i < 8 && file.size() != kPdfSize; ++i) {
        pad += kPdfSize - file.size();
        file = build(pad, padRandom);
    }
    return file;
}

bool write(const std::string &dir, const char *name, const std::string &data, size_t size)
{
    if (data.size() != size) {
        std::fprintf(stderr, "wsi_corpusgen: %s has %zu octets, not %zu\n", name, data.size(),
                     size);
        return false;
    }
    const std::string path = dir + "/" + name;
    std::FILE *f = std::fopen(path.c_str(), "wb");
    if (!f) {
        std::fprintf(stderr, "wsi_corpusgen: cannot write %s\n", path.c_str());
        return false;
    }
    const bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
    return std::fclose(f) == 0 && ok;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: wsi_corpusgen OUTPUT-DIRECTORY\n");
        return 2;
    }
    const std::string dir = argv[1];
    const bool ok = write(dir, "data1.json", makeJson(), kJsonSize) &&
                    write(dir, "lena512.bmp", makeBitmap(), kBitmapSize) &&
                    write(dir, "pg2229.txt", makeText(), kTextSize) &&
                    write(dir, "data1.html", makeHtml(), kHtmlSize) &&
                    write(dir, "10.1.1.105.5439.pdf", makePdf(), kPdfSize);
    return ok ? 0 : 1;
}
