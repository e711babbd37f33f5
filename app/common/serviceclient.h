// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The client side of org.httptap.Helper1 (the helper's system D-Bus service):
// starts a capture of pids, or a command run as the calling user, and hands
// back the read end of its record stream. Shared by httptap-record and the
// app. Blocking calls (the service answers after polkit, which may show a
// password dialog): call it from a thread that may wait.

#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

class OrgHttptapHelper1Interface;

namespace httptap::client {

struct ServiceCapture {
    int streamFd = -1; // owned by the caller
    std::string captureId;
    pid_t commandPid = 0; // StartCommand only
};

class ServiceClient
{
public:
    enum class Failure { None, NoBus, NotInstalled, NotAuthorized, Refused };

    ServiceClient();
    ~ServiceClient();

    // The system bus is reachable and the service is running or activatable.
    bool available(std::string* why);

    std::optional<ServiceCapture> startCapture(
        const std::vector<pid_t>& pids, bool followForks, std::string* error);
    // argv runs as this user with our stdin/stdout/stderr, in our working directory.
    std::optional<ServiceCapture> startCommand(
        const std::vector<std::string>& argv, bool followForks, std::string* error);
    // argv runs as this user in workingDirectory with /dev/null for stdin, stdout and stderr (the window).
    std::optional<ServiceCapture> startCommandIn(const std::vector<std::string>& argv,
        const std::string& workingDirectory, bool followForks, std::string* error);
    // The running capture traces these processes (and their children) too.
    bool addPids(const std::string& captureId, const std::vector<pid_t>& pids, std::string* error);
    // Whether captures started from now on time connection set-up (option "timing").
    void setTiming(bool on) { m_timing = on; }
    // Whether captures started from now on take initiator stacks (option "stacks").
    void setStacks(bool on) { m_stacks = on; }
    // Asks the service to drain and end the stream.
    bool stop(const std::string& captureId, std::string* error);

    Failure lastFailure() const { return m_failure; }

private:
    std::unique_ptr<OrgHttptapHelper1Interface> m_proxy;
    Failure m_failure = Failure::None;
    bool m_timing = true;
    bool m_stacks = true;
};

} // namespace httptap::client
