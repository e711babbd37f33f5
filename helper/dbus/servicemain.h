// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

namespace httptap::helper {

// `httptap-helper --dbus`: serves org.httptap.Helper1 on the system bus until
// idle (HTTPTAP_HELPER_IDLE_MS, default 30 s, with no capture and no call in
// flight) or SIGTERM/SIGINT. Returns the exit status.
int runDBusService(int argc, char** argv);

} // namespace httptap::helper
