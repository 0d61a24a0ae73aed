// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/permessagedeflate.h"
#include "trace/trace.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace wsi {

// What permessage-deflate the trace's connection agreed, read from its opening handshake as
// recorded (the request and response heads) by negotiateDeflate(), the one rule set the session
// applied live. Not agreed when there was no handshake, no offer or a declined one.
[[nodiscard]] DeflateAgreement traceDeflateAgreement(const Trace &trace);

// Compression in figures, for the statistics tab, the reports and the cases' "[in/out]" ratios:
// the payload octets of the data messages as they crossed the wire and as the application saw
// them (inflated). Uncompressed messages count on both sides with their size, as in Autobahn's
// traffic statistics, whose compression ratio is wire octets over application octets.
struct DeflateStatistics
{
    qint64 rxWireOctets = 0, rxAppOctets = 0;
    qint64 txWireOctets = 0, txAppOctets = 0;
    qint64 rxCompressedMessages = 0, txCompressedMessages = 0;
    qint64 rxFailedMessages = 0, txFailedMessages = 0; // did not inflate (or octets not kept)

    // Wire over application octets (0.25: a quarter of the size); none without application octets.
    [[nodiscard]] std::optional<double> rxRatio() const;
    [[nodiscard]] std::optional<double> txRatio() const;
};

// The messages of a trace inflated, in the order their frames were recorded, both directions:
// what the server sent with the server's window and context takeover, what we sent with the
// client's. Frames are added in trace order (incrementally: the window feeds each batch's new
// frames); the inflater of each direction carries the LZ77 context from message to message unless
// the agreement says no context takeover.
//
// A compressed message can be inflated only when every octet of its frames is in the trace and,
// under context takeover, every earlier compressed message of its direction was; otherwise it is
// said to be unknown (not guessed). The inflated octets kept are bounded (maxKeptOctets in all,
// each message at most maxMessageOctets, the session's size limit): past the budget a message
// keeps its size and state but not its octets.
class TraceInflation
{
public:
    enum class State : quint8 {
        Open,        // frames still to come
        Inflated,    // complete and inflated
        Failed,      // the octets do not inflate (error, errorOffset), or over the size limit
        Unknown,     // octets needed to inflate it are not in the trace (error says which)
        Interrupted, // a new message began before this one's FIN (or the trace ended)
    };
    struct Message
    {
        Direction direction = Direction::Rx;
        qint64 firstFrame = -1; // index into Trace::frames()
        qint64 lastFrame = -1;
        qint64 wireOctets = 0;     // compressed payload octets of its frames
        qint64 inflatedOctets = 0; // what the inflater produced (also when not kept)
        QByteArray inflated;       // the inflated payload, when kept (inflatedKept)
        bool inflatedKept = true;
        State state = State::Open;
        QString error;           // Failed / Unknown: in words
        qint64 errorOffset = -1; // Failed: offset in the message's compressed octets

        [[nodiscard]] std::optional<double> ratio() const; // wire over inflated octets
    };

    static constexpr qint64 kDefaultKeptOctets = 64ll * 1024 * 1024;
    // The session's default size limit for a message (SessionSettings::maxFramePayload).
    static constexpr qint64 kDefaultMaxMessageOctets = 64ll * 1024 * 1024;

    TraceInflation() = default;
    explicit TraceInflation(const DeflateAgreement &agreement, qint64 maxMessageOctets,
                            qint64 maxKeptOctets = kDefaultKeptOctets);

    [[nodiscard]] const DeflateAgreement &agreement() const { return m_agreement; }
    [[nodiscard]] bool active() const { return m_agreement.agreed; }

    // The next frame of the trace (index = its position in Trace::frames()), in order.
    void addFrame(const Trace &trace, const FrameRecord &frame, qint64 index);
    // Every frame of `trace` from `fromIndex` on.
    void addFrames(const Trace &trace, qint64 fromIndex = 0);
    [[nodiscard]] qint64 framesSeen() const { return m_framesSeen; }

    // The compressed messages, in order of their first frames.
    [[nodiscard]] const std::vector<Message> &messages() const { return m_messages; }
    // The compressed message a frame belongs to; null when it is not part of one.
    [[nodiscard]] const Message *messageOfFrame(qint64 frameIndex) const;
    [[nodiscard]] DeflateStatistics statistics() const { return m_stats; }

private:
    struct DirectionState
    {
        std::unique_ptr<Inflater> inflater;
        std::optional<size_t> open; // the message being inflated, index into m_messages
        bool contextLost = false;   // an earlier message could not be inflated (takeover)
        QString lostBecause;
        bool noContextTakeover = false;
        // An uncompressed data message is open (its octets count for the statistics).
        bool plainOpen = false;
    };
    void finish(DirectionState &d, Message &m, State state);
    void loseContext(DirectionState &d, const QString &why);

    DeflateAgreement m_agreement;
    qint64 m_maxMessage = 64ll * 1024 * 1024;
    qint64 m_keptBudget = kDefaultKeptOctets;
    DirectionState m_dir[2];
    std::vector<Message> m_messages;
    std::unordered_map<qint64, size_t> m_frameToMessage; // frames of compressed messages
    DeflateStatistics m_stats;
    qint64 m_framesSeen = 0;
};

// The statistics of a whole trace (an empty set when no compression was agreed).
[[nodiscard]] DeflateStatistics deflateStatistics(const Trace &trace);

} // namespace wsi
