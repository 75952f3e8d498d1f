#!/usr/bin/perl
# Fetches the shared IP block list and reloads nginx when it changed.
use strict;
use warnings;
use LWP::Simple qw(mirror is_success);

my $list = '/etc/nginx/blocklist.conf';
my $rc = mirror('https://lists.example.net/nginx/blocklist.conf', $list);
if (is_success($rc)) {
    chmod 0644, $list;
    system('/usr/sbin/nginx', '-t') == 0 or die "bad block list\n";
    system('/usr/sbin/service', 'nginx', 'reload');
}
