// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Incremental decoder for the capture record stream. Feed it bytes as they
// arrive, in pieces of any size; take decoded records with next().
//
// Records are decoded in place (issue 10: no payload copies on the way to the
// parsers). The contract that buys this:
//  - feed() borrows the caller's bytes instead of copying them. They must stay
//    valid and unchanged until next() has returned nullopt, or, for a caller
//    that stops calling next() earlier, until its next feed() (which copies the
//    undecoded rest then). When next() runs out it keeps its own copy of an
//    incomplete record at the end, so the caller may then reuse its buffer.
//  - A Data record's payload from next() is a view into those borrowed bytes or
//    into the reader's own buffer, valid until the next feed() or next() call.
//    Whoever keeps a record longer copies it (a copy owns its bytes) or calls
//    own() on it; a moved record is still a view.
// Only a record cut between two feeds is copied, and only its bytes.
//
// Invariants: never reads past what was fed; every length is checked against
// kMaxRecordSize and against the record's own size before use; once the
// stream is found corrupt the reader stays in the Error state with a message
// (so a caller can report "corrupt at byte N" and keep the flows it already
// has). Unknown record types are skipped, so newer producers stay readable.

#include "recordformat.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace httptap::record {

using Record = std::variant<StreamStart, Data, ConnClose, Process, Lost, Notice, LibraryAttached, Ready, StreamEnd,
    ConnPhase, DnsMessage, Stack, ModuleMap>;

class RecordReader
{
public:
    enum class State {
        NeedHeader, // waiting for the 16-byte stream header
        Records, // decoding records
        Error, // corrupt stream; see errorString()
    };

    // Borrows [data, data + size): see the contract above.
    void feed(const uint8_t* data, size_t size);
    void feed(const std::vector<uint8_t>& data) { feed(data.data(), data.size()); }
    // A temporary would be gone before next() reads it.
    void feed(std::vector<uint8_t>&& data) = delete;

    // The next complete record, or nullopt when more bytes are needed (or on error).
    // A Data payload in it is valid until the next feed() or next().
    std::optional<Record> next();

    State state() const { return m_state; }
    const std::string& errorString() const { return m_error; }
    // Bytes consumed so far (stream offset of the next undecoded byte).
    uint64_t consumed() const { return m_consumed; }
    // Bytes fed but not yet decoded: non-zero at end of input means the stream was cut.
    size_t pending() const { return m_buffer.size() - m_pos + m_inputSize - m_inputPos; }
    uint16_t version() const { return m_version; }
    uint64_t skippedRecords() const { return m_skipped; }

private:
    enum class Step { Record, Skipped, NeedMore, Failed };
    std::optional<Record> decodeAt(const uint8_t* p, size_t avail, Step& step, size_t& used);
    size_t missingBytes() const;
    void releaseInput();
    void fail(std::string message);
    void compact();

    State m_state = State::NeedHeader;
    // The reader's own bytes, decoded before the borrowed ones: a record cut at the end of
    // a fed piece (completed from the next piece), or everything when a caller fed twice
    // without running next() out.
    std::vector<uint8_t> m_buffer;
    size_t m_pos = 0;
    // The caller's last fed piece, not copied (see the contract).
    const uint8_t* m_input = nullptr;
    size_t m_inputSize = 0;
    size_t m_inputPos = 0;
    uint64_t m_consumed = 0;
    uint16_t m_version = 0;
    uint64_t m_skipped = 0;
    std::string m_error;
};

// Decodes one record body (without the 8-byte record header). Returns nullopt
// and sets *error when the body is malformed; unknown types give nullopt with an
// empty error.
// The payload of a Data record from decodeRecord() views `body`.
std::optional<Record> decodeRecord(RecordType type, const uint8_t* body, size_t size, std::string* error);

// Makes a record own all its bytes, to keep it past the reader's next feed() or next().
Record& own(Record& record);

} // namespace httptap::record
