// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The last step before a flow leaves the assembler, for HTTP/1 and HTTP/2
// alike: undo Content-Encoding into HttpMessage::decodedBody (the raw body
// stays as it was) and split gRPC bodies into messages (Flow::grpc).
//
// A corrupt or unsupported coding leaves decoded false and says so in the
// flow's notes; the decoded form never exceeds maxDecodedBytes (then
// decodedTruncated, with a note).

#include "flow.h"

namespace httptap {

void decodeBodies(Flow& flow, uint64_t maxDecodedBytes);

} // namespace httptap
