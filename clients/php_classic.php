#!/usr/bin/env php
<?php
/*
 * amzsig adapter (protocol v1): a plain PHP Signature Version 2 signer written the way the
 * PHP code of the PA-API / MWS era did it.
 *
 * There is no registry package for this: thousands of shops signed their Product Advertising
 * API and MWS calls with a dozen lines pasted from the PA-API Developer Guide's sample code
 * ("Example REST Requests" / the signed-requests helper) and the public snippets derived from
 * it: build an array of parameters, add AWSAccessKeyId and Timestamp, ksort() it,
 * rawurlencode() names and values and undo the encoding of '~' with
 * str_replace('%7E', '~', ...) (rawurlencode before PHP 5.3 encoded '~'), join with '&',
 * hash_hmac('sha256', $string_to_sign, $secret, true), base64_encode(), urlencode() the
 * signature, and fetch the URL with curl. This file is written from that idiom (it copies no
 * particular project); it is ours, so it is the one adapter here that is not a third-party
 * package.
 *
 * Choices, in that spirit:
 * - the Timestamp is the scenario's, verbatim (the snippets used gmdate("Y-m-d\TH:i:s\Z"));
 *   `expires` puts Expires instead;
 * - PA-API requests (path /onca/xml) carry neither SignatureVersion nor SignatureMethod, as
 *   in the DG samples, unless HmacSHA1 is asked for; everything else (MWS, Query APIs)
 *   carries SignatureVersion=2 and SignatureMethod;
 * - the host in the string to sign is the endpoint's host in lowercase, with its port only
 *   when it is not the scheme's default; the path is the endpoint's ('/' when empty);
 * - GET puts everything in the query string; POST puts it in an
 *   application/x-www-form-urlencoded body;
 * - a PHP array cannot hold a name twice: repeated names are refused.
 */

function amzsig_classic_encode($s)
{
    return str_replace('%7E', '~', rawurlencode($s));
}

// The classic signer: returns array($method, $url, $headers, $body).
function amzsig_classic_sign($msg)
{
    if (isset($msg['sig']) && $msg['sig'] !== 'v2') {
        throw new InvalidArgumentException('php-classic signs SigV2 only');
    }
    $method = strtoupper($msg['method']);
    $parts = parse_url($msg['endpoint']);
    $scheme = isset($parts['scheme']) ? strtolower($parts['scheme']) : 'https';
    $host = strtolower($parts['host']);
    if (isset($parts['port']) && $parts['port'] != ($scheme === 'https' ? 443 : 80)) {
        $host .= ':' . $parts['port'];
    }
    $uri = (isset($parts['path']) && $parts['path'] !== '') ? $parts['path'] : '/';
    $algo = isset($msg['signature_method']) ? $msg['signature_method'] : 'HmacSHA256';
    if ($algo !== 'HmacSHA256' && $algo !== 'HmacSHA1') {
        throw new InvalidArgumentException("unsupported SignatureMethod $algo");
    }

    $params = array();
    foreach ($msg['params'] as $pair) {
        if (array_key_exists($pair[0], $params)) {
            throw new InvalidArgumentException('php-classic keeps parameters in an array: repeated name ' . json_encode($pair[0]));
        }
        $params[$pair[0]] = $pair[1];
    }
    $creds = $msg['credentials'];
    $params['AWSAccessKeyId'] = $creds['access_key_id'];
    if (!empty($msg['expires'])) {
        $params['Expires'] = $msg['expires'];
    } else {
        $params['Timestamp'] = $msg['timestamp'];
    }
    if ($uri !== '/onca/xml' || $algo !== 'HmacSHA256') {
        $params['SignatureVersion'] = '2';
        $params['SignatureMethod'] = $algo;
    }
    if (!empty($creds['session_token'])) {
        $params['SecurityToken'] = $creds['session_token'];
    }

    ksort($params);
    $canonicalized_query = array();
    foreach ($params as $param => $value) {
        $canonicalized_query[] = amzsig_classic_encode($param) . '=' . amzsig_classic_encode($value);
    }
    $canonicalized_query = implode('&', $canonicalized_query);

    $string_to_sign = $method . "\n" . $host . "\n" . $uri . "\n" . $canonicalized_query;
    $hash = ($algo === 'HmacSHA1') ? 'sha1' : 'sha256';
    $signature = base64_encode(hash_hmac($hash, $string_to_sign, $creds['secret_key'], true));
    $signed = $canonicalized_query . '&Signature=' . urlencode($signature);

    $base = $scheme . '://' . $host . $uri;
    if (isset($msg['location']) && $msg['location'] === 'form') {
        if ($method !== 'POST') {
            throw new InvalidArgumentException('form location needs POST');
        }
        return array($method, $base, array(array('Content-Type', 'application/x-www-form-urlencoded; charset=utf-8')), $signed);
    }
    return array($method, $base . '?' . $signed, array(), '');
}

function amzsig_classic_send($msg)
{
    list($method, $url, $headers, $body) = amzsig_classic_sign($msg);
    $ch = curl_init($url);
    curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
    curl_setopt($ch, CURLOPT_CONNECTTIMEOUT, 5);
    curl_setopt($ch, CURLOPT_TIMEOUT, 8);
    if ($method === 'POST') {
        curl_setopt($ch, CURLOPT_POST, true);
        curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
        $lines = array();
        foreach ($headers as $h) {
            $lines[] = $h[0] . ': ' . $h[1];
        }
        curl_setopt($ch, CURLOPT_HTTPHEADER, $lines);
    }
    $response = curl_exec($ch);
    $out = array('attempts' => 1);
    if ($response === false) {
        $out['status'] = null;
        $out['body'] = '';
        $out['error'] = 'curl: ' . curl_error($ch);
    } else {
        $status = curl_getinfo($ch, CURLINFO_HTTP_CODE);
        $out['status'] = $status;
        $out['body'] = $response;
        if ($status >= 300) {
            $out['error'] = "HTTP $status";
        }
    }
    curl_close($ch);
    return $out;
}

function amzsig_write($answer)
{
    fwrite(STDOUT, json_encode($answer, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE) . "\n");
    fflush(STDOUT);
}

while (($line = fgets(STDIN)) !== false) {
    $line = trim($line);
    if ($line === '') {
        continue;
    }
    $msg = json_decode($line, true);
    if (!is_array($msg)) {
        amzsig_write(array('type' => 'error', 'id' => null, 'message' => 'bad JSON: ' . json_last_error_msg()));
        continue;
    }
    $id = isset($msg['id']) ? $msg['id'] : null;
    try {
        switch (isset($msg['type']) ? $msg['type'] : '') {
            case 'hello':
                amzsig_write(array(
                    'type' => 'hello', 'protocol' => 1, 'name' => 'php-classic (PA-API DG idiom)',
                    'version' => 'php-' . PHP_VERSION,
                    'capabilities' => array('sigv2', 'post-form', 'send', 'hmac-sha1', 'expires', 'security-token'),
                ));
                break;
            case 'sign':
                list($method, $url, $headers, $body) = amzsig_classic_sign($msg);
                amzsig_write(array('type' => 'signed', 'id' => $id, 'method' => $method, 'url' => $url, 'headers' => $headers, 'body' => $body));
                break;
            case 'send':
                amzsig_write(array_merge(array('type' => 'sent', 'id' => $id), amzsig_classic_send($msg)));
                break;
            default:
                amzsig_write(array('type' => 'error', 'id' => $id, 'message' => 'unsupported message type: ' . $msg['type']));
        }
    } catch (Throwable $e) {
        fwrite(STDERR, get_class($e) . ': ' . $e->getMessage() . "\n");
        amzsig_write(array('type' => 'error', 'id' => $id, 'message' => get_class($e) . ': ' . $e->getMessage()));
    }
}
