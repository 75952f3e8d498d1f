#!/usr/bin/perl
# Posts new lines of the deploy log to the team's IRC channel. It only sends:
# it answers the server's PING and ignores what people say.
use strict;
use warnings;
use IO::Socket::INET;

my $server  = 'irc.libera.chat';
my $channel = '#example-ops';
my $nick    = 'deploy-notify';
my $log     = '/var/log/deploy.log';

my $sock = IO::Socket::INET->new(PeerAddr => $server, PeerPort => 6667, Proto => 'tcp')
    or die "cannot connect: $!";
print $sock "NICK $nick\r\n";
print $sock "USER $nick 0 * :deploy notifications\r\n";
print $sock "JOIN $channel\r\n";

my $host = `hostname -f`;
chomp $host;
my $up = `uptime -p`;
print $sock "PRIVMSG $channel :$host is up ($up)\r\n";
system('logger', '-t', 'irc-notify', "joined $channel");

open(my $fh, '<', $log) or die "cannot read $log: $!";
seek($fh, 0, 2);
while (1) {
    while (my $line = <$fh>) {
        chomp $line;
        print $sock "PRIVMSG $channel :$line\r\n";
    }
    while (my $in = <$sock>) {
        if ($in =~ /^PING :(.*)/) {
            print $sock "PONG :$1\r\n";
        }
        last;
    }
    sleep 5;
}
