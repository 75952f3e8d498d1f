<?php
// Keys without their dashes, as the payment gateway wants them.
$merchant = str_replace('-', '', 'a1b2c3d4-e5f6-4711-9abc-def012345678');
$terminal = str_replace(' ', '', 'T 0042 7731');
function gateway_headers($merchant, $terminal)
{
    return ['X-Merchant: ' . $merchant, 'X-Terminal: ' . $terminal];
}
$headers = gateway_headers($merchant, $terminal);
