#!/usr/bin/perl
use strict;
use Net::SMTP;
open(my $fh, '<', 'emails.txt') or die;
my @list = <$fh>;
my $body = "Your account has been suspended. Verify at http://login-verify.example/";
foreach my $to (@list) {
    chomp $to;
    my $smtp = Net::SMTP->new('localhost');
    $smtp->mail('security@bank.example');
    $smtp->to($to);
    $smtp->data();
    $smtp->datasend("Subject: Account notice\n\n$body\n");
    $smtp->dataend();
    $smtp->quit;
}
