// SPDX-License-Identifier: GPL-2.0-or-later
//
// HAR import (core/export/harreader.h) on arbitrary bytes; every flow it
// accepts is exported again as JSONL, so what an imported file can put into a
// Flow is exercised downstream too.

#include "export/harreader.h"
#include "export/jsonlwriter.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    QString error;
    const auto flows = httptap::readHar(bytes, &error);
    if (!flows) {
        if (error.isEmpty())
            __builtin_trap(); // a refusal always names what is wrong
        return 0;
    }
    const httptap::JsonlWriter writer;
    qsizetype total = 0;
    for (const auto& flow : *flows)
        total += writer.line(flow).size();
    return total < 0 ? 0 : 0;
}
