# SPDX-License-Identifier: GPL-2.0-or-later
"""nginx configurations for the local test and benchmark servers (harness.Nginx, h2peers.NginxH2,
bench/capture.py): one master, one worker, every file under a private directory, no access log.
Only the http-level directives and the server blocks differ; callers pass those."""

PROLOGUE = """\
daemon off;
master_process on;
worker_processes 1;
user root;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections {worker_connections}; }}
http {{
    access_log off;
    default_type text/plain;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
"""


def nginx_config(directory, http_body, worker_connections=256):
    """The whole nginx.conf: the common prologue, then http_body (directives and server blocks,
    plain text: no format placeholders left), then the closing brace of http."""
    return PROLOGUE.format(dir=directory, worker_connections=worker_connections) + http_body + "}\n"
