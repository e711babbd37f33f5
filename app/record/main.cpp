// SPDX-License-Identifier: GPL-2.0-or-later
// httptap-record: records the HTTP traffic of processes to JSON Lines, HAR or curl commands.
#include "processreport.h"
#include "rawreplay.h"
#include "recordoptions.h"
#include "recordsession.h"

#include <cstdio>

int main(int argc, char** argv)
{
    std::string error;
    const auto options = httptap::cli::parseRecordOptions(std::vector<std::string>(argv + 1, argv + argc), &error);
    if (!options) {
        std::fprintf(stderr, "httptap-record: %s\n\n%s", error.c_str(), httptap::cli::recordUsage());
        return 2;
    }
    if (options->help) {
        std::fputs(httptap::cli::recordUsage(), stdout);
        return 0;
    }
    if (options->version) {
        std::printf("httptap-record %s\n", HTTPTAP_VERSION);
        return 0;
    }
    if (options->listProcesses)
        return httptap::cli::listProcesses();
    if (options->doctorPid)
        return httptap::cli::doctor(options->doctorPid);
    if (!options->readPath.empty())
        return httptap::cli::replayRecording(*options);
    return httptap::cli::RecordSession(*options).run();
}
