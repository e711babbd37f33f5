// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Incremental decoder for the capture record stream. Feed it bytes as they
// arrive, in pieces of any size; take decoded records with next().
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

    void feed(const uint8_t* data, size_t size);
    void feed(const std::vector<uint8_t>& data) { feed(data.data(), data.size()); }

    // The next complete record, or nullopt when more bytes are needed (or on error).
    std::optional<Record> next();

    State state() const { return m_state; }
    const std::string& errorString() const { return m_error; }
    // Bytes consumed so far (stream offset of the next undecoded byte).
    uint64_t consumed() const { return m_consumed; }
    // Bytes fed but not yet decoded: non-zero at end of input means the stream was cut.
    size_t pending() const { return m_buffer.size() - m_pos; }
    uint16_t version() const { return m_version; }
    uint64_t skippedRecords() const { return m_skipped; }

private:
    void fail(std::string message);
    void compact();

    State m_state = State::NeedHeader;
    std::vector<uint8_t> m_buffer;
    size_t m_pos = 0;
    uint64_t m_consumed = 0;
    uint16_t m_version = 0;
    uint64_t m_skipped = 0;
    std::string m_error;
};

// Decodes one record body (without the 8-byte record header). Returns nullopt
// and sets *error when the body is malformed; unknown types give nullopt with an
// empty error.
std::optional<Record> decodeRecord(RecordType type, const uint8_t* body, size_t size, std::string* error);

} // namespace httptap::record
