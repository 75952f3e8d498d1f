<?php
/** A small mail library: sends one message to each recipient of a newsletter the admin wrote. */
class Newsletter
{
    public $Priority = 3;
    public $Encoding = 'base64';

    public function headers($from)
    {
        $h = 'From: ' . $from . "\r\n";
        $h .= 'X-Priority: ' . $this->Priority . "\r\n";
        $h .= "Content-Transfer-Encoding: base64\r\n";
        return $h;
    }

    public function sendAll(array $subscribers, $subject, $body, $from)
    {
        foreach ($subscribers as $to) {
            mail($to, $subject, chunk_split(base64_encode($body)), $this->headers($from));
        }
    }
}
