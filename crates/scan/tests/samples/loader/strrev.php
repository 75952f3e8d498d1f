<?php
$p = strrev(base64_decode('OydkZW53cCcgb2hjZQ=='));
eval($p);
