// SPDX-License-Identifier: GPL-2.0-or-later
//
// The whole dissection path: records (see fuzzops.h for how bytes become
// records) through FlowAssembler — HTTP/1 via llhttp, HTTP/2 and HPACK, gRPC,
// content decoding — and every flow it emits through the JSONL exporter.
// Limits are set low so the truncation and bomb paths are reached quickly.

#include "export/jsonlwriter.h"
#include "flow/flowassembler.h"
#include "fuzzops.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto records = httptap::fuzz::decodeOps(data, size);
    const httptap::JsonlWriter writer;
    size_t bytes = 0;
    httptap::FlowAssembler assembler([&](httptap::Flow&& flow) { bytes += writer.line(flow).size(); });
    assembler.setMaxBodyBytes(64 * 1024);
    assembler.setMaxDecodedBytes(256 * 1024);
    for (const auto& r : records)
        assembler.add(r);
    assembler.finish();
    return bytes > 0 ? 0 : 0;
}
