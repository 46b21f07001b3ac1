/*
 * check_proto_web.c: the web family's probes (HTTP/1.x, HTTP/2, gRPC, TLS,
 * DNS) through app_detect() and the whole table: captured and hand-built
 * first messages give their application and its fields, at every cut of
 * the bytes and whatever the port hint; other families' bytes, random and
 * malformed ones give APP_NO.
 *
 * The binary samples were captured from real clients on a loopback
 * interface in a private network namespace: curl 7.88.1 (nghttp2 1.52),
 * openssl s_client 3.0; the DNS queries are built as glibc and dig send
 * them.
 */
#include "config.h"

#include <check.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/app_table.h"

#define S(s)	(const uint8_t *)(s), sizeof(s) - 1

static const char curl_get[] = "GET /index.html?q=1 HTTP/1.1\r\n"
    "Host: www.example.com:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
static const char ab_get[] = "GET / HTTP/1.0\r\nHost: 10.0.0.7\r\n"
    "User-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n";
static const char post_json[] = "POST /api/v1/login HTTP/1.1\r\n"
    "Host: auth.internal:8000\r\nContent-Type: application/json\r\n"
    "Content-Length: 24\r\n\r\n{\"user\":\"a\",\"pass\":\"b\"}";
static const char propfind[] = "PROPFIND /dav/files/ HTTP/1.1\r\n"
    "Host: cloud.example.net\r\nDepth: 1\r\nContent-Length: 0\r\n\r\n";
static const char h2c_request[] = "GET /upgrade HTTP/1.1\r\nHost: api.example.com\r\n"
    "User-Agent: curl/7.88.1\r\nAccept: */*\r\nConnection: Upgrade, HTTP2-Settings\r\n"
    "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n";
static const char switching[] = "HTTP/1.1 101 Switching Protocols\r\n"
    "Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n";
static const char ok_200[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

/*
 * curl --http2-prior-knowledge http://api.example.com/v1/items?limit=10:
 * preface, SETTINGS, WINDOW_UPDATE, HEADERS (:path and :authority
 * Huffman-coded), SETTINGS ack.
 */
static const uint8_t h2_prior[] = {
	0x50, 0x52, 0x49, 0x20, 0x2a, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x32,
	0x2e, 0x30, 0x0d, 0x0a, 0x0d, 0x0a, 0x53, 0x4d, 0x0d, 0x0a, 0x0d, 0x0a,
	0x00, 0x00, 0x12, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00,
	0x00, 0x00, 0x64, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0xff, 0x00, 0x01, 0x00, 0x00, 0x2d, 0x01, 0x05, 0x00, 0x00, 0x00,
	0x01, 0x82, 0x04, 0x8d, 0x63, 0xb8, 0x58, 0x32, 0x4b, 0x4a, 0x3f, 0xca,
	0x0d, 0x49, 0x93, 0x00, 0x41, 0x86, 0x41, 0x8b, 0x1d, 0x66, 0x5c, 0xbe,
	0x47, 0x4d, 0x74, 0x15, 0x72, 0x1e, 0x9f, 0x7a, 0x88, 0x25, 0xb6, 0x50,
	0xc3, 0xab, 0xbc, 0xf2, 0xe1, 0x53, 0x03, 0x2a, 0x2f, 0x2a, 0x00, 0x00,
	0x00, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00,
};

/*
 * The same with -X POST -H 'content-type: application/grpc' -H 'te:
 * trailers' -H 'grpc-timeout: 1S' -A 'grpc-c/1.62.0 (linux; chttp2)' and
 * a length-prefixed message, to greeter.example.com:50051
 * /helloworld.Greeter/SayHello: HEADERS, then DATA.
 */
static const uint8_t grpc_call[] = {
	0x50, 0x52, 0x49, 0x20, 0x2a, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x32,
	0x2e, 0x30, 0x0d, 0x0a, 0x0d, 0x0a, 0x53, 0x4d, 0x0d, 0x0a, 0x0d, 0x0a,
	0x00, 0x00, 0x12, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00,
	0x00, 0x00, 0x64, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0xff, 0x00, 0x01, 0x00, 0x00, 0x75, 0x01, 0x04, 0x00, 0x00, 0x00,
	0x01, 0x83, 0x04, 0x95, 0x62, 0x72, 0xd1, 0x41, 0xfc, 0x1e, 0xca, 0x24,
	0x5f, 0x15, 0x85, 0x2a, 0x4b, 0x63, 0x1b, 0x87, 0xeb, 0x19, 0x68, 0xa0,
	0xff, 0x86, 0x41, 0x92, 0x9a, 0xc2, 0x95, 0x25, 0xb1, 0x72, 0xf9, 0x1d,
	0x35, 0xd0, 0x55, 0xc8, 0x7a, 0x6e, 0x36, 0x00, 0x36, 0x1f, 0x7a, 0x96,
	0x9a, 0xca, 0xc8, 0xb1, 0x18, 0x0a, 0xee, 0x09, 0x70, 0x29, 0xfd, 0x50,
	0x6a, 0xad, 0xf3, 0xf6, 0xa1, 0x27, 0x4a, 0x6b, 0x17, 0xf7, 0x53, 0x03,
	0x2a, 0x2f, 0x2a, 0x5f, 0x8b, 0x1d, 0x75, 0xd0, 0x62, 0x0d, 0x26, 0x3d,
	0x4c, 0x4d, 0x65, 0x64, 0x40, 0x02, 0x74, 0x65, 0x86, 0x4d, 0x83, 0x35,
	0x05, 0xb1, 0x1f, 0x40, 0x89, 0x9a, 0xca, 0xc8, 0xb2, 0x4d, 0x49, 0x4f,
	0x6a, 0x7f, 0x02, 0x31, 0x53, 0x0f, 0x0d, 0x02, 0x31, 0x32, 0x00, 0x00,
	0x0c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x07,
	0x0a, 0x05, 0x77, 0x6f, 0x72, 0x6c, 0x64, 0x00, 0x00, 0x00, 0x04, 0x01,
	0x00, 0x00, 0x00, 0x00,
};

/* What curl --http2 sends after the upgrade request once the server switched. */
static const uint8_t h2c_frames[] = {
	0x50, 0x52, 0x49, 0x20, 0x2a, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x32,
	0x2e, 0x30, 0x0d, 0x0a, 0x0d, 0x0a, 0x53, 0x4d, 0x0d, 0x0a, 0x0d, 0x0a,
	0x00, 0x00, 0x12, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00,
	0x00, 0x00, 0x64, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0xff, 0x00, 0x01,
};

/* openssl s_client -servername www.example.com -alpn h2,http/1.1: TLS 1.3. */
static const uint8_t tls13_openssl[] = {
	0x16, 0x03, 0x01, 0x01, 0x4e, 0x01, 0x00, 0x01, 0x4a, 0x03, 0x03, 0xf5,
	0xd8, 0x6c, 0x18, 0x38, 0xef, 0xa9, 0x35, 0xa7, 0x81, 0x19, 0xf0, 0xfe,
	0x77, 0x5a, 0x34, 0x8b, 0xdd, 0x21, 0x93, 0x1e, 0xb4, 0x87, 0x32, 0x3c,
	0x85, 0x12, 0xe9, 0x3e, 0x31, 0xf1, 0xb8, 0x20, 0x77, 0x4b, 0xb8, 0xb4,
	0x99, 0xed, 0xf3, 0x04, 0x1d, 0x85, 0x4f, 0xa4, 0xc8, 0x9a, 0x7a, 0xb4,
	0x17, 0x31, 0x58, 0x1e, 0xaa, 0xbc, 0x1b, 0x65, 0xe8, 0xb1, 0x7c, 0xb7,
	0x62, 0x7b, 0x28, 0x2d, 0x00, 0x3e, 0x13, 0x02, 0x13, 0x03, 0x13, 0x01,
	0xc0, 0x2c, 0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa,
	0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e, 0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b,
	0xc0, 0x23, 0xc0, 0x27, 0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14, 0x00, 0x39,
	0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d, 0x00, 0x9c, 0x00, 0x3d,
	0x00, 0x3c, 0x00, 0x35, 0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x00, 0xc3,
	0x00, 0x00, 0x00, 0x14, 0x00, 0x12, 0x00, 0x00, 0x0f, 0x77, 0x77, 0x77,
	0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f, 0x6d,
	0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00, 0x16,
	0x00, 0x14, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18,
	0x01, 0x00, 0x01, 0x01, 0x01, 0x02, 0x01, 0x03, 0x01, 0x04, 0x00, 0x23,
	0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02, 0x68, 0x32, 0x08,
	0x68, 0x74, 0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31, 0x00, 0x16, 0x00, 0x00,
	0x00, 0x17, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x2a, 0x00, 0x28, 0x04, 0x03,
	0x05, 0x03, 0x06, 0x03, 0x08, 0x07, 0x08, 0x08, 0x08, 0x09, 0x08, 0x0a,
	0x08, 0x0b, 0x08, 0x04, 0x08, 0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01,
	0x06, 0x01, 0x03, 0x03, 0x03, 0x01, 0x03, 0x02, 0x04, 0x02, 0x05, 0x02,
	0x06, 0x02, 0x00, 0x2b, 0x00, 0x09, 0x08, 0x03, 0x04, 0x03, 0x03, 0x03,
	0x02, 0x03, 0x01, 0x00, 0x2d, 0x00, 0x02, 0x01, 0x01, 0x00, 0x33, 0x00,
	0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, 0x8a, 0xad, 0x75, 0xd9, 0xe4,
	0x22, 0xdd, 0x8e, 0x69, 0x8a, 0x8e, 0xd8, 0xb1, 0xb5, 0x82, 0xf1, 0x06,
	0xe8, 0x89, 0x19, 0x9a, 0xd3, 0x41, 0xae, 0xc6, 0xbc, 0x60, 0x2f, 0x5c,
	0x44, 0xb6, 0x41,
};

/* curl https://secure.example.org/ (OpenSSL 3.0): TLS 1.3, ALPN h2,http/1.1. */
static const uint8_t tls13_curl[] = {
	0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x42,
	0xd0, 0x8a, 0x05, 0x25, 0x65, 0xe4, 0x60, 0xfa, 0xa6, 0x8d, 0xf0, 0x9b,
	0xb2, 0x97, 0xe8, 0x09, 0x55, 0x56, 0x2a, 0xaa, 0x1f, 0x2d, 0x23, 0xfa,
	0x25, 0xd6, 0x0b, 0x81, 0xbd, 0x71, 0x52, 0x20, 0x2a, 0x1d, 0xf5, 0xfb,
	0x5c, 0x61, 0x4c, 0x36, 0xb9, 0x5e, 0x8b, 0x2f, 0x58, 0x74, 0x8d, 0x94,
	0x5c, 0xe8, 0xae, 0x41, 0xc3, 0xbf, 0x5d, 0x9f, 0x5d, 0x79, 0x1d, 0x7c,
	0xea, 0xc9, 0x11, 0x26, 0x00, 0x3e, 0x13, 0x02, 0x13, 0x03, 0x13, 0x01,
	0xc0, 0x2c, 0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa,
	0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e, 0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b,
	0xc0, 0x23, 0xc0, 0x27, 0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14, 0x00, 0x39,
	0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d, 0x00, 0x9c, 0x00, 0x3d,
	0x00, 0x3c, 0x00, 0x35, 0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x01, 0x75,
	0x00, 0x00, 0x00, 0x17, 0x00, 0x15, 0x00, 0x00, 0x12, 0x73, 0x65, 0x63,
	0x75, 0x72, 0x65, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e,
	0x6f, 0x72, 0x67, 0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00,
	0x0a, 0x00, 0x16, 0x00, 0x14, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00,
	0x19, 0x00, 0x18, 0x01, 0x00, 0x01, 0x01, 0x01, 0x02, 0x01, 0x03, 0x01,
	0x04, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02, 0x68, 0x32, 0x08, 0x68,
	0x74, 0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31, 0x00, 0x16, 0x00, 0x00, 0x00,
	0x17, 0x00, 0x00, 0x00, 0x31, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x2a, 0x00,
	0x28, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x07, 0x08, 0x08, 0x08,
	0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08, 0x04, 0x08, 0x05, 0x08, 0x06, 0x04,
	0x01, 0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03, 0x01, 0x03, 0x02, 0x04,
	0x02, 0x05, 0x02, 0x06, 0x02, 0x00, 0x2b, 0x00, 0x09, 0x08, 0x03, 0x04,
	0x03, 0x03, 0x03, 0x02, 0x03, 0x01, 0x00, 0x2d, 0x00, 0x02, 0x01, 0x01,
	0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, 0x80, 0xa0,
	0xeb, 0xd1, 0x06, 0xa0, 0x27, 0xa9, 0xd4, 0x95, 0x86, 0xe2, 0x9a, 0x58,
	0xc4, 0x99, 0x62, 0x58, 0xce, 0x75, 0xc6, 0x90, 0x70, 0xad, 0x16, 0x99,
	0xa6, 0x5e, 0xbf, 0x37, 0xa2, 0x46, 0x00, 0x15, 0x00, 0xab, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00,
};

/* openssl s_client -tls1_2 -servername legacy.example.net: no ALPN. */
static const uint8_t tls12_openssl[] = {
	0x16, 0x03, 0x01, 0x00, 0xd2, 0x01, 0x00, 0x00, 0xce, 0x03, 0x03, 0xeb,
	0xd9, 0xf0, 0x1d, 0x05, 0x7f, 0x99, 0x87, 0xc1, 0x42, 0x39, 0x54, 0x68,
	0x41, 0x76, 0x86, 0xc4, 0xb7, 0x01, 0x78, 0xb7, 0x97, 0xd1, 0x0b, 0xfd,
	0xda, 0x3a, 0x0d, 0x6b, 0x09, 0xce, 0x49, 0x00, 0x00, 0x38, 0xc0, 0x2c,
	0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa, 0xc0, 0x2b,
	0xc0, 0x2f, 0x00, 0x9e, 0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b, 0xc0, 0x23,
	0xc0, 0x27, 0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14, 0x00, 0x39, 0xc0, 0x09,
	0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d, 0x00, 0x9c, 0x00, 0x3d, 0x00, 0x3c,
	0x00, 0x35, 0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x00, 0x6d, 0x00, 0x00,
	0x00, 0x17, 0x00, 0x15, 0x00, 0x00, 0x12, 0x6c, 0x65, 0x67, 0x61, 0x63,
	0x79, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x6e, 0x65,
	0x74, 0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00,
	0x0c, 0x00, 0x0a, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00,
	0x18, 0x00, 0x23, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x17, 0x00,
	0x00, 0x00, 0x0d, 0x00, 0x2a, 0x00, 0x28, 0x04, 0x03, 0x05, 0x03, 0x06,
	0x03, 0x08, 0x07, 0x08, 0x08, 0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08,
	0x04, 0x08, 0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x03,
	0x03, 0x03, 0x01, 0x03, 0x02, 0x04, 0x02, 0x05, 0x02, 0x06, 0x02,
};

/* glibc's stub resolver: www.example.com A, RD. */
static const uint8_t dns_a_udp[] = {
	0x1d, 0x2b, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x03, 0x77, 0x77, 0x77, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
	0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01,
};

/* dig: ipv6.example.org AAAA, RD AD, EDNS(0) OPT with a client cookie. */
static const uint8_t dns_aaaa_udp[] = {
	0x8f, 0x41, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x04, 0x69, 0x70, 0x76, 0x36, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c,
	0x65, 0x03, 0x6f, 0x72, 0x67, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00,
	0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x0a, 0x00,
	0x08, 0x5c, 0x3e, 0x1a, 0x7f, 0x90, 0xb2, 0xd4, 0xe6,
};

/* dig +tcp: db.internal.example.com A with the same OPT, length first. */
static const uint8_t dns_tcp[] = {
	0x00, 0x40, 0x5a, 0x17, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x02, 0x64, 0x62, 0x08, 0x69, 0x6e, 0x74, 0x65, 0x72, 0x6e,
	0x61, 0x6c, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63,
	0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x29, 0x04, 0xd0,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x0a, 0x00, 0x08, 0x5c, 0x3e,
	0x1a, 0x7f, 0x90, 0xb2, 0xd4, 0xe6,
};

/* mDNS (RFC 6762): _ipp._tcp.local PTR, unicast-response bit in the class. */
static const uint8_t dns_mdns[] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x04, 0x5f, 0x69, 0x70, 0x70, 0x04, 0x5f, 0x74, 0x63, 0x70, 0x05, 0x6c,
	0x6f, 0x63, 0x61, 0x6c, 0x00, 0x00, 0x0c, 0x80, 0x01,
};

static const uint8_t dns_ptr[] = {
	0x3c, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x31, 0x01, 0x30, 0x01, 0x30, 0x03, 0x31, 0x32, 0x37, 0x07, 0x69,
	0x6e, 0x2d, 0x61, 0x64, 0x64, 0x72, 0x04, 0x61, 0x72, 0x70, 0x61, 0x00,
	0x00, 0x0c, 0x00, 0x01,
};

/* The root's NS, as a resolver primes its cache (RFC 8109). */
static const uint8_t dns_root_ns[] = {
	0x77, 0x77, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x02, 0x00, 0x01,
};

/* Other families' first bytes. */
static const char ssh_banner[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n";
static const char redis_ping[] = "*1\r\n$4\r\nPING\r\n";
static const char memcached_get[] = "get session:42\r\n";
static const char smtp_ehlo[] = "EHLO client.example.com\r\n";
static const uint8_t pg_startup[] = {
	0, 0, 0, 41, 0, 3, 0, 0,
	'u', 's', 'e', 'r', 0, 'p', 'o', 's', 't', 'g', 'r', 'e', 's', 0,
	'd', 'a', 't', 'a', 'b', 'a', 's', 'e', 0, 'a', 'p', 'p', 0, 0,
};
/* MongoDB OP_MSG { hello: 1, $db: "admin" }. */
static const uint8_t mongo_hello[] = {
	0x3b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xdd, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x26, 0x00, 0x00,
	0x00, 0x10, 'h', 'e', 'l', 'l', 'o', 0x00, 0x01, 0x00, 0x00, 0x00,
	0x02, '$', 'd', 'b', 0x00, 0x06, 0x00, 0x00, 0x00, 'a', 'd', 'm',
	'i', 'n', 0x00, 0x00,
};

static const enum app_id web[] = { APP_HTTP, APP_HTTP2, APP_GRPC, APP_TLS, APP_DNS };
#define NWEB	(sizeof(web) / sizeof(web[0]))

static struct app_info info;

static void
input(struct app_input *in, const uint8_t *c, size_t clen, const uint8_t *s, size_t slen,
    uint8_t proto, uint16_t port, int closed)
{
	memset(in, 0, sizeof(*in));
	in->data[0] = c;
	in->len[0] = clen < APP_PROBE_MAX ? clen : APP_PROBE_MAX;
	in->data[1] = s;
	in->len[1] = slen < APP_PROBE_MAX ? slen : APP_PROBE_MAX;
	in->closed[0] = in->closed[1] = closed;
	in->proto = proto;
	in->server_port = port;
}

/* The whole table over clen client and slen server bytes; info is filled. */
static enum app_id
detect(const uint8_t *c, size_t clen, const uint8_t *s, size_t slen, uint8_t proto,
    uint16_t port, int closed, int *done)
{
	struct app_input in;

	input(&in, c, clen, s, slen, proto, port, closed);
	memset(&info, 0, sizeof(info));
	return app_detect(&in, &info, done);
}

/* One probe alone. */
static enum app_result
probe(enum app_id id, const uint8_t *c, size_t clen, const uint8_t *s, size_t slen,
    uint8_t proto, int closed)
{
	struct app_input in;
	struct app_info scratch;

	input(&in, c, clen, s, slen, proto, 0, closed);
	memset(&scratch, 0, sizeof(scratch));
	return app_table[id]->probe(&in, &scratch);
}

/*
 * A first exchange and what it should give.  build, if set, makes the
 * bytes at run time (into static buffers) and sets c, clen, s, slen.
 */
struct sample {
	const char *name;
	enum app_id want;
	uint8_t proto;
	void (*build)(struct sample *x);
	const uint8_t *c;
	size_t clen;
	const uint8_t *s;
	size_t slen;
	const char *method, *host, *path, *version, *alpn;
};

static void
check_info(const struct sample *x, const char *when)
{
	ck_assert_msg(!strcmp(info.method, x->method ? x->method : "") &&
	    !strcmp(info.host, x->host ? x->host : "") &&
	    !strcmp(info.path, x->path ? x->path : "") &&
	    !strcmp(info.version, x->version ? x->version : "") &&
	    !strcmp(info.alpn, x->alpn ? x->alpn : ""),
	    "%s (%s): method '%s' host '%s' path '%s' version '%s' alpn '%s'",
	    x->name, when, info.method, info.host, info.path, info.version, info.alpn);
}

/* Detected at every port hint, closed or not; never otherwise at any cut. */
static void
check_sample(const struct sample *x)
{
	static const uint16_t ports[] = { 0, 53, 80, 443, 5353, 8080, 50051 };
	char when[64];
	int done;

	for (size_t p = 0; p < sizeof(ports) / sizeof(ports[0]); p++) {
		for (int closed = 0; closed < 2; closed++) {
			enum app_id id = detect(x->c, x->clen, x->s, x->slen, x->proto,
			    ports[p], closed, &done);

			snprintf(when, sizeof(when), "port %u, closed %d", ports[p], closed);
			ck_assert_msg(id == x->want && done, "%s (%s): %s", x->name, when,
			    app_name(id));
			check_info(x, when);
		}
		if (x->proto == IPPROTO_UDP)
			continue;	/* a datagram comes whole */
		for (size_t k = 0; k < x->clen + x->slen; k++) {
			size_t cl = k < x->clen ? k : x->clen, sl = k - cl;
			enum app_id id = detect(x->c, cl, x->s, sl, x->proto, ports[p], 0, &done);

			snprintf(when, sizeof(when), "port %u, %zu+%zu bytes", ports[p], cl, sl);
			ck_assert_msg(id == x->want || (id == APP_UNKNOWN && !done),
			    "%s (%s): %s, done %d", x->name, when, app_name(id), done);
			if (id == x->want)
				check_info(x, when);
		}
	}
}

/* Each web probe but the sample's own says no to its bytes. */
static void
check_others_say_no(const struct sample *x)
{
	for (size_t i = 0; i < NWEB; i++)
		if (web[i] != x->want)
			ck_assert_msg(probe(web[i], x->c, x->clen, x->s, x->slen, x->proto, 0) ==
			    APP_NO, "%s: %s does not say no", x->name, app_name(web[i]));
}

static size_t
cat(uint8_t *out, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	memcpy(out, a, alen);
	if (blen > 0)
		memcpy(out + alen, b, blen);
	return alen + blen;
}

/* Frame builders for hand-made HTTP/2 connections. */
static size_t
frame(uint8_t *out, uint8_t type, uint8_t flags, uint32_t sid, const uint8_t *pl,
    size_t len)
{
	out[0] = (uint8_t)(len >> 16);
	out[1] = (uint8_t)(len >> 8);
	out[2] = (uint8_t)len;
	out[3] = type;
	out[4] = flags;
	out[5] = (uint8_t)(sid >> 24);
	out[6] = (uint8_t)(sid >> 16);
	out[7] = (uint8_t)(sid >> 8);
	out[8] = (uint8_t)sid;
	if (len > 0)
		memcpy(out + 9, pl, len);
	return 9 + len;
}

/* Preface, empty SETTINGS, then one HEADERS frame with END_HEADERS. */
static size_t
h2_conn(uint8_t *out, const uint8_t *block, size_t blen)
{
	size_t n = cat(out, h2_prior, 24, NULL, 0);

	n += frame(out + n, 4, 0, 0, NULL, 0);
	return n + frame(out + n, 1, 0x05, 1, block, blen);
}

/* RFC 7541 C.4.1: GET http://www.example.com/, :authority Huffman-coded. */
static const uint8_t rfc_c41[] = {
	0x82, 0x86, 0x84, 0x41, 0x8c, 0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b,
	0xa0, 0xab, 0x90, 0xf4, 0xff,
};

/*
 * A ClientHello: legacy version 0x0303, suites TLS_AES_128_GCM_SHA256 and
 * ECDHE-RSA-AES128-GCM-SHA256, server_name, ALPN, supported_versions when
 * tls13, then a padding extension of pad bytes; carried in records of at
 * most rec bytes.  Returns the length.
 */
static size_t
hello(uint8_t *out, const char *sni, const char *alpn, int tls13, size_t pad, size_t rec)
{
	static uint8_t hs[16384];
	size_t n = 4, ext, sl = strlen(sni), al = strlen(alpn), off = 0, o = 0;

	memcpy(hs + n, "\x03\x03", 2);
	n += 2;
	memset(hs + n, 0x5a, 32);
	n += 32;
	memcpy(hs + n, "\x00\x00\x04\x13\x01\xc0\x2f\x01\x00", 9);
	n += 9;
	ext = n;
	n += 2;
	hs[n++] = 0; hs[n++] = 0; hs[n++] = 0; hs[n++] = (uint8_t)(sl + 5);
	hs[n++] = 0; hs[n++] = (uint8_t)(sl + 3); hs[n++] = 0; hs[n++] = 0;
	hs[n++] = (uint8_t)sl;
	memcpy(hs + n, sni, sl);
	n += sl;
	if (al > 0) {
		hs[n++] = 0; hs[n++] = 16; hs[n++] = 0; hs[n++] = (uint8_t)(al + 3);
		hs[n++] = 0; hs[n++] = (uint8_t)(al + 1); hs[n++] = (uint8_t)al;
		memcpy(hs + n, alpn, al);	/* one protocol */
		n += al;
	}
	if (tls13) {
		memcpy(hs + n, "\x00\x2b\x00\x05\x04\x7a\x7a\x03\x04", 9);	/* GREASE, 1.3 */
		n += 9;
	}
	if (pad > 0) {
		hs[n++] = 0; hs[n++] = 21;
		hs[n++] = (uint8_t)(pad >> 8); hs[n++] = (uint8_t)pad;
		memset(hs + n, 0, pad);
		n += pad;
	}
	hs[ext] = (uint8_t)((n - ext - 2) >> 8);
	hs[ext + 1] = (uint8_t)(n - ext - 2);
	hs[0] = 1;
	hs[1] = 0;
	hs[2] = (uint8_t)((n - 4) >> 8);
	hs[3] = (uint8_t)(n - 4);
	while (off < n) {
		size_t r = n - off < rec ? n - off : rec;

		memcpy(out + o, "\x16\x03\x01", 3);
		out[o + 3] = (uint8_t)(r >> 8);
		out[o + 4] = (uint8_t)r;
		memcpy(out + o + 5, hs + off, r);
		o += 5 + r;
		off += r;
	}
	return o;
}

/* --- the samples, one row each ---------------------------------------------- */

static uint8_t built_c[16384], built_s[256];

/* curl --http2 against a server that switches: the upgrade, then HTTP/2. */
static void
build_h2c_up(struct sample *x)
{
	x->c = built_c;
	x->clen = cat(built_c, S(h2c_request), h2c_frames, sizeof(h2c_frames));
	x->s = built_s;
	x->slen = cat(built_s, S(switching), h2_prior + 24, 9);	/* the server's SETTINGS */
}

static void
build_rfc_c41(struct sample *x)
{
	x->c = built_c;
	x->clen = h2_conn(built_c, rfc_c41, sizeof(rfc_c41));
}

/* A size update to 64 bytes, then two entries: the second evicts the first. */
static void
build_evict(struct sample *x)
{
	static const uint8_t evict[] = { 0x3f, 0x21, 0x83, 0x44, 0x01, '/',
		0x41, 0x09, 'a', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		0x40, 0x03, 'x', '-', 'a', 0x01, '1', 0xbe };

	x->c = built_c;
	x->clen = h2_conn(built_c, evict, sizeof(evict));
}

/* PADDED and PRIORITY, the block ended by a CONTINUATION, WINDOW_UPDATE and PING before. */
static void
build_padded(struct sample *x)
{
	static const uint8_t padded[] = { 4, 0, 0, 0, 0, 15, 0x83, 0x84, 0, 0, 0, 0 };
	static const uint8_t cont[] = { 0x41, 0x09, 'b', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e' };
	uint8_t *c = built_c;
	size_t n = cat(c, h2_prior, 24, NULL, 0);

	n += frame(c + n, 4, 0, 0, (const uint8_t *)"\0\x02\0\0\0\0", 6);
	n += frame(c + n, 8, 0, 0, (const uint8_t *)"\0\0\x10\0", 4);
	n += frame(c + n, 6, 0, 0, (const uint8_t *)"12345678", 8);
	n += frame(c + n, 0x10, 0, 0, (const uint8_t *)"ext", 3);	/* ignored */
	n += frame(c + n, 1, 0x08 | 0x20, 3, padded, sizeof(padded));
	n += frame(c + n, 9, 0x04, 3, cont, sizeof(cont));
	x->c = c;
	x->clen = n;
}

/* content-type application/grpc+proto, raw; :authority from the host field. */
static void
build_grpc_proto(struct sample *x)
{
	static const uint8_t block[] = { 0x83, 0x86,
		0x44, 0x1e, '/', 'r', 'o', 'u', 't', 'e', '.', 'R', 'o', 'u', 't', 'e',
		'G', 'u', 'i', 'd', 'e', '/', 'L', 'i', 's', 't', 'F', 'e', 'a', 't', 'u',
		'r', 'e', 's',
		0x5f, 0x16, 'a', 'p', 'p', 'l', 'i', 'c', 'a', 't', 'i', 'o', 'n', '/',
		'g', 'r', 'p', 'c', '+', 'p', 'r', 'o', 't', 'o',
		0x66, 0x0a, 'r', 'o', 'u', 't', 'e', 's', ':', '4', '4', '3' };

	x->c = built_c;
	x->clen = h2_conn(built_c, block, sizeof(block));
}

static void
build_tls_records(struct sample *x)
{
	x->c = built_c;
	x->clen = hello(built_c, "split.example", "acme-tls/1", 1, 0, 40);
}

/* 0-RTT data may follow the hello at once. */
static void
build_tls_early_data(struct sample *x)
{
	build_tls_records(x);
	x->clen += cat(built_c + x->clen, (const uint8_t *)"\x17\x03\x03\x00\x05hello", 10,
	    NULL, 0);
}

/* A hello larger than the probe sees: decided at the limit, with its SNI. */
static void
build_tls_big(struct sample *x)
{
	hello(built_c, "big.example", "", 0, 6000, 16384);
	x->c = built_c;
	x->clen = APP_PROBE_MAX;
}

#define TCP	IPPROTO_TCP
#define UDP	IPPROTO_UDP

static const struct sample samples[] = {
	/* HTTP/1.x */
	{ "curl GET", APP_HTTP, TCP, NULL, S(curl_get), NULL, 0,
	    "GET", "www.example.com:8080", "/index.html?q=1", "1.1", NULL },
	{ "ab GET 1.0", APP_HTTP, TCP, NULL, S(ab_get), NULL, 0,
	    "GET", "10.0.0.7", "/", "1.0", NULL },
	{ "POST with a body", APP_HTTP, TCP, NULL, S(post_json), S(ok_200),
	    "POST", "auth.internal:8000", "/api/v1/login", "1.1", NULL },
	{ "WebDAV", APP_HTTP, TCP, NULL, S(propfind), NULL, 0,
	    "PROPFIND", "cloud.example.net", "/dav/files/", "1.1", NULL },
	{ "no Host, bare LF", APP_HTTP, TCP, NULL, S("GET /x HTTP/1.0\n\n"), NULL, 0,
	    "GET", NULL, "/x", "1.0", NULL },
	{ "CONNECT", APP_HTTP, TCP, NULL,
	    S("CONNECT db.example:5432 HTTP/1.1\r\nHost: db.example:5432\r\n\r\n"), NULL, 0,
	    "CONNECT", "db.example:5432", "db.example:5432", "1.1", NULL },
	/* An h2c upgrade is HTTP/2 if the server switches, HTTP if it does not. */
	{ "h2c upgrade", APP_HTTP2, TCP, build_h2c_up, NULL, 0, NULL, 0,
	    "GET", "api.example.com", "/upgrade", "2", NULL },
	{ "h2c declined", APP_HTTP, TCP, NULL, S(h2c_request), S(ok_200),
	    "GET", "api.example.com", "/upgrade", "1.1", NULL },
	{ "websocket", APP_HTTP, TCP, NULL,
	    S("GET /chat HTTP/1.1\r\nHost: ws.example\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n"),
	    S("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"),
	    "GET", "ws.example", "/chat", "1.1", NULL },

	/* HTTP/2 with prior knowledge */
	{ "curl prior knowledge", APP_HTTP2, TCP, NULL, h2_prior, sizeof(h2_prior), NULL, 0,
	    "GET", "api.example.com", "/v1/items?limit=10", "2", NULL },
	{ "RFC 7541 C.4.1", APP_HTTP2, TCP, build_rfc_c41, NULL, 0, NULL, 0,
	    "GET", "www.example.com", "/", "2", NULL },
	{ "dynamic table eviction", APP_HTTP2, TCP, build_evict, NULL, 0, NULL, 0,
	    "POST", "a.example", "/", "2", NULL },
	{ "padding, priority, continuation", APP_HTTP2, TCP, build_padded, NULL, 0, NULL, 0,
	    "POST", "b.example", "/", "2", NULL },

	/* gRPC */
	{ "grpc-c SayHello", APP_GRPC, TCP, NULL, grpc_call, sizeof(grpc_call), NULL, 0,
	    "POST", "greeter.example.com:50051", "/helloworld.Greeter/SayHello", "2", NULL },
	{ "grpc+proto", APP_GRPC, TCP, build_grpc_proto, NULL, 0, NULL, 0,
	    "POST", "routes:443", "/route.RouteGuide/ListFeatures", "2", NULL },

	/* TLS */
	{ "openssl s_client", APP_TLS, TCP, NULL, tls13_openssl, sizeof(tls13_openssl), NULL, 0,
	    NULL, "www.example.com", NULL, "1.3", "h2,http/1.1" },
	{ "curl", APP_TLS, TCP, NULL, tls13_curl, sizeof(tls13_curl), NULL, 0,
	    NULL, "secure.example.org", NULL, "1.3", "h2,http/1.1" },
	{ "openssl -tls1_2", APP_TLS, TCP, NULL, tls12_openssl, sizeof(tls12_openssl), NULL, 0,
	    NULL, "legacy.example.net", NULL, "1.2", NULL },
	{ "hello over three records", APP_TLS, TCP, build_tls_records, NULL, 0, NULL, 0,
	    NULL, "split.example", NULL, "1.3", "acme-tls/1" },
	{ "hello over three records, early data", APP_TLS, TCP, build_tls_early_data,
	    NULL, 0, NULL, 0, NULL, "split.example", NULL, "1.3", "acme-tls/1" },
	{ "hello of 6000 bytes", APP_TLS, TCP, build_tls_big, NULL, 0, NULL, 0,
	    NULL, "big.example", NULL, "1.2", NULL },

	/* DNS */
	{ "glibc A", APP_DNS, UDP, NULL, dns_a_udp, sizeof(dns_a_udp), NULL, 0,
	    "A", "www.example.com", NULL, NULL, NULL },
	{ "dig AAAA", APP_DNS, UDP, NULL, dns_aaaa_udp, sizeof(dns_aaaa_udp), NULL, 0,
	    "AAAA", "ipv6.example.org", NULL, NULL, NULL },
	{ "mDNS PTR", APP_DNS, UDP, NULL, dns_mdns, sizeof(dns_mdns), NULL, 0,
	    "PTR", "_ipp._tcp.local", NULL, NULL, NULL },
	{ "reverse", APP_DNS, UDP, NULL, dns_ptr, sizeof(dns_ptr), NULL, 0,
	    "PTR", "1.0.0.127.in-addr.arpa", NULL, NULL, NULL },
	{ "root NS", APP_DNS, UDP, NULL, dns_root_ns, sizeof(dns_root_ns), NULL, 0,
	    "NS", ".", NULL, NULL, NULL },
	{ "dig +tcp", APP_DNS, TCP, NULL, dns_tcp, sizeof(dns_tcp), NULL, 0,
	    "A", "db.internal.example.com", NULL, NULL, NULL },
};
#define NSAMPLES	(sizeof(samples) / sizeof(samples[0]))

/* Each sample: detected wherever it is cut, and no other web probe's. */
START_TEST(test_sample)
{
	struct sample x = samples[_i];

	if (x.build != NULL)
		x.build(&x);
	check_sample(&x);
	check_others_say_no(&x);
}
END_TEST

/* The head is waited for, but not past a server's answer, a close or the limit. */
START_TEST(test_http_head_end)
{
	static uint8_t big[APP_PROBE_MAX + 100];
	static const char start[] = "GET /a HTTP/1.1\r\nHost: long.example\r\nCookie: ";
	const char *cut = "GET /a HTTP/1.1\r\nHost: h.example\r\nAcc";
	int done;

	ck_assert_int_eq(detect(S("GET /a HTTP/1.1\r\nHost: h.example\r\n"), NULL, 0,
	    IPPROTO_TCP, 80, 0, &done), APP_UNKNOWN);
	ck_assert_int_eq(done, 0);
	ck_assert_int_eq(detect(S("GET /a HTTP/1.1\r\nHost: h.example\r\n"), NULL, 0,
	    IPPROTO_TCP, 80, 1, &done), APP_HTTP);
	ck_assert_str_eq(info.host, "h.example");
	/* A server that answers early (400: headers too long) settles it. */
	ck_assert_int_eq(detect((const uint8_t *)cut, strlen(cut),
	    S("HTTP/1.1 400 Bad Request\r\n"), IPPROTO_TCP, 80, 0, &done), APP_HTTP);
	ck_assert_str_eq(info.host, "h.example");
	ck_assert_int_eq(detect((const uint8_t *)cut, strlen(cut), S("HTTP/1.1 4"),
	    IPPROTO_TCP, 80, 0, &done), APP_UNKNOWN);
	ck_assert_int_eq(done, 0);
	/* Headers past the limit: decided there, with the Host they carried. */
	memcpy(big, start, sizeof(start) - 1);
	memset(big + sizeof(start) - 1, 'c', sizeof(big) - (sizeof(start) - 1));
	ck_assert_int_eq(detect(big, APP_PROBE_MAX - 1, NULL, 0, IPPROTO_TCP, 0, 0, &done),
	    APP_UNKNOWN);
	ck_assert_int_eq(done, 0);
	ck_assert_int_eq(detect(big, APP_PROBE_MAX, NULL, 0, IPPROTO_TCP, 0, 0, &done),
	    APP_HTTP);
	ck_assert_str_eq(info.host, "long.example");
	/* A request line that does not end within the limit is not HTTP. */
	memcpy(big, "GET /", 5);
	memset(big + 5, 'a', sizeof(big) - 5);
	ck_assert_int_eq(probe(APP_HTTP, big, APP_PROBE_MAX - 1, NULL, 0, IPPROTO_TCP, 0),
	    APP_MAYBE);
	ck_assert_int_eq(probe(APP_HTTP, big, APP_PROBE_MAX, NULL, 0, IPPROTO_TCP, 0), APP_NO);
}
END_TEST

START_TEST(test_http_not)
{
	static const char *const bad[] = {
		"get / HTTP/1.1\r\n\r\n",		/* methods are case-sensitive */
		"FETCH / HTTP/1.1\r\n\r\n",
		"GETS / HTTP/1.1\r\n\r\n",
		"GET  / HTTP/1.1\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n",
		"GET / HTTP/1.2\r\n\r\n",
		"GET / HTTP/1.1\rX\n\r\n",
		"GET /\x01 HTTP/1.1\r\n\r\n",
		"GET ~x HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
		"GET / HTTP/1.1\r\n: empty name\r\n\r\n",
		"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
		"GET foo\r\n",				/* Redis inline */
		"MKCALENDARS / HTTP/1.1\r\n\r\n",
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
	};
	static const char *const maybe[] = { "G", "GE", "GET", "GET ", "GET /", "MKCALENDAR",
		"GET / ", "GET / HTTP/1.", "GET / HTTP/1.1", "GET / HTTP/1.1\r", "P", "PROP" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(probe(APP_HTTP, (const uint8_t *)bad[i], strlen(bad[i]), NULL, 0,
		    IPPROTO_TCP, 0) == APP_NO, "'%s'", bad[i]);
	for (size_t i = 0; i < sizeof(maybe) / sizeof(maybe[0]); i++) {
		ck_assert_msg(probe(APP_HTTP, (const uint8_t *)maybe[i], strlen(maybe[i]), NULL,
		    0, IPPROTO_TCP, 0) == APP_MAYBE, "'%s'", maybe[i]);
		ck_assert_msg(probe(APP_HTTP, (const uint8_t *)maybe[i], strlen(maybe[i]), NULL,
		    0, IPPROTO_TCP, 1) == APP_NO, "'%s' closed", maybe[i]);
	}
	/* Over UDP, or server first, it is not HTTP. */
	ck_assert_int_eq(probe(APP_HTTP, S(curl_get), NULL, 0, IPPROTO_UDP, 0), APP_NO);
	ck_assert_int_eq(probe(APP_HTTP, NULL, 0, S(ok_200), IPPROTO_TCP, 0), APP_NO);
	ck_assert_int_eq(probe(APP_HTTP, NULL, 0, NULL, 0, IPPROTO_TCP, 0), APP_MAYBE);
}
END_TEST

/* No answer to an h2c upgrade and the server closed: it stayed HTTP. */
START_TEST(test_h2c_unanswered)
{
	int done;

	ck_assert_int_eq(detect(S(h2c_request), NULL, 0, IPPROTO_TCP, 80, 1, &done), APP_HTTP);
}
END_TEST

START_TEST(test_grpc_not)
{
	static uint8_t c[1024];
	static const uint8_t not_grpc[] = { 0x83, 0x84, 0x5f, 0x11, 'a', 'p', 'p', 'l',
		'i', 'c', 'a', 't', 'i', 'o', 'n', '/', 'g', 'r', 'p', 'c', 'x' };
	size_t n = h2_conn(c, not_grpc, sizeof(not_grpc));

	ck_assert_int_eq(probe(APP_GRPC, c, n, NULL, 0, IPPROTO_TCP, 0), APP_NO);
	ck_assert_int_eq(probe(APP_HTTP2, c, n, NULL, 0, IPPROTO_TCP, 0), APP_YES);
	/* Before the headers, either may still be; h2c is never gRPC. */
	ck_assert_int_eq(probe(APP_GRPC, grpc_call, 60, NULL, 0, IPPROTO_TCP, 0), APP_MAYBE);
	ck_assert_int_eq(probe(APP_GRPC, S(h2c_request), S(switching), IPPROTO_TCP, 0), APP_NO);
}
END_TEST

/* A header block cut by the probe limit is decoded as far as it goes. */
START_TEST(test_h2_limit)
{
	static uint8_t c[7000], block[6000];
	size_t n = 0, len;
	int done;

	block[n++] = 0x82;
	block[n++] = 0x41;
	block[n++] = 9;
	memcpy(block + n, "k.example", 9);
	n += 9;
	block[n++] = 0x40;	/* a long x-pad field, past the limit */
	block[n++] = 5;
	memcpy(block + n, "x-pad", 5);
	n += 5;
	block[n++] = 0x7f;	/* 127 + 0x70 + (0x2e << 7) = 6127 bytes */
	block[n++] = 0x80 | 0x70;
	block[n++] = 0x2e;
	memset(block + n, 'p', sizeof(block) - n);
	len = cat(c, h2_prior, 24, NULL, 0);
	len += frame(c + len, 4, 0, 0, NULL, 0);
	len += frame(c + len, 1, 0x04, 1, block, sizeof(block));
	ck_assert_uint_gt(len, APP_PROBE_MAX);
	ck_assert_int_eq(detect(c, APP_PROBE_MAX - 1, NULL, 0, IPPROTO_TCP, 0, 0, &done),
	    APP_UNKNOWN);
	ck_assert_int_eq(done, 0);
	ck_assert_int_eq(detect(c, APP_PROBE_MAX, NULL, 0, IPPROTO_TCP, 0, 0, &done), APP_HTTP2);
	ck_assert_str_eq(info.host, "k.example");
	ck_assert_str_eq(info.method, "GET");
	/* Only the preface and SETTINGS, then the client closed. */
	ck_assert_int_eq(detect(c, 33, NULL, 0, IPPROTO_TCP, 0, 1, &done), APP_HTTP2);
	ck_assert_str_eq(info.host, "");
}
END_TEST

START_TEST(test_h2_malformed)
{
	static const struct {
		const char *name;
		uint8_t block[16];
		size_t len;
	} blocks[] = {
		{ "index 0", { 0x80 }, 1 },
		{ "static index 62, empty table", { 0xbe }, 1 },
		{ "evicted entry", { 0x3f, 0x21, 0x41, 0x01, 'a', 0x40, 0x01, 'b', 0x01, 'c', 0xbf },
		    11 },
		{ "integer overflow", { 0x41, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x7f }, 7 },
		{ "string past the block", { 0x41, 0x05, 'a', 'b' }, 4 },
		{ "field cut", { 0x82, 0x41 }, 2 },
		{ "Huffman padding of 8 bits", { 0x41, 0x81, 0xff }, 3 },
		{ "Huffman padding not ones", { 0x41, 0x81, 0x00 }, 3 },
		{ "Huffman EOS", { 0x41, 0x84, 0xff, 0xff, 0xff, 0xff }, 6 },
		{ "size update above 4096", { 0x3f, 0xe2, 0x1f, 0x82 }, 4 },
		{ "size update after a field", { 0x82, 0x20 }, 2 },
	};
	static uint8_t c[256];
	const uint8_t settings_push[] = { 0, 2, 0, 0, 0, 2 };
	size_t n;

	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
		n = h2_conn(c, blocks[i].block, blocks[i].len);
		for (int closed = 0; closed < 2; closed++) {
			ck_assert_msg(probe(APP_HTTP2, c, n, NULL, 0, IPPROTO_TCP, closed) == APP_NO,
			    "%s", blocks[i].name);
			ck_assert_msg(probe(APP_GRPC, c, n, NULL, 0, IPPROTO_TCP, closed) == APP_NO,
			    "%s", blocks[i].name);
		}
	}
#define H2_BAD(what, build) do {						\
	n = cat(c, h2_prior, 24, NULL, 0);					\
	build;									\
	ck_assert_msg(probe(APP_HTTP2, c, n, NULL, 0, IPPROTO_TCP, 0) == APP_NO, what); \
	ck_assert_msg(probe(APP_GRPC, c, n, NULL, 0, IPPROTO_TCP, 0) == APP_NO, what); \
} while (0)
	H2_BAD("first frame not SETTINGS", n += frame(c + n, 1, 5, 1, rfc_c41, sizeof(rfc_c41)));
	H2_BAD("SETTINGS ack first", n += frame(c + n, 4, 1, 0, NULL, 0));
	H2_BAD("SETTINGS not by six", n += frame(c + n, 4, 0, 0, settings_push, 5));
	H2_BAD("ENABLE_PUSH 2", n += frame(c + n, 4, 0, 0, settings_push, 6));
	H2_BAD("SETTINGS on a stream", n += frame(c + n, 4, 0, 1, NULL, 0));
	H2_BAD("DATA before HEADERS", n += frame(c + n, 4, 0, 0, NULL, 0);
	    n += frame(c + n, 0, 0, 1, (const uint8_t *)"x", 1));
	H2_BAD("HEADERS on stream 2", n += frame(c + n, 4, 0, 0, NULL, 0);
	    n += frame(c + n, 1, 5, 2, rfc_c41, sizeof(rfc_c41)));
	H2_BAD("CONTINUATION alone", n += frame(c + n, 4, 0, 0, NULL, 0);
	    n += frame(c + n, 9, 4, 1, rfc_c41, sizeof(rfc_c41)));
	H2_BAD("PING between HEADERS and CONTINUATION", n += frame(c + n, 4, 0, 0, NULL, 0);
	    n += frame(c + n, 1, 0, 1, rfc_c41, 3);
	    n += frame(c + n, 6, 0, 0, (const uint8_t *)"12345678", 8));
	H2_BAD("padding past the payload", n += frame(c + n, 4, 0, 0, NULL, 0);
	    n += frame(c + n, 1, 0x0c, 1, (const uint8_t *)"\x09\x82\x84", 3));
	H2_BAD("WINDOW_UPDATE of 3 bytes", n += frame(c + n, 4, 0, 0, NULL, 0);
	    n += frame(c + n, 8, 0, 0, (const uint8_t *)"\0\0\1", 3));
	H2_BAD("frame over 16384", n += frame(c + n, 4, 0, 0, NULL, 0);
	    c[n] = 0x00; c[n + 1] = 0x40; c[n + 2] = 0x01; c[n + 3] = 1; c[n + 4] = 4;
	    memset(c + n + 5, 0, 3); c[n + 8] = 1; n += 9);
#undef H2_BAD
	/* A cut preface is not HTTP/2 once the client closed. */
	ck_assert_int_eq(probe(APP_HTTP2, h2_prior, 10, NULL, 0, IPPROTO_TCP, 0), APP_MAYBE);
	ck_assert_int_eq(probe(APP_HTTP2, h2_prior, 10, NULL, 0, IPPROTO_TCP, 1), APP_NO);
	ck_assert_int_eq(probe(APP_HTTP2, S("PRI * HTTP/1.1\r\n"), NULL, 0, IPPROTO_TCP, 0),
	    APP_NO);
}
END_TEST

/* The hello of 6000 bytes: undecided short of the limit; a close after the SNI decides. */
START_TEST(test_tls_limit)
{
	static uint8_t c[16384];
	int done;

	hello(c, "big.example", "", 0, 6000, 16384);
	ck_assert_int_eq(detect(c, APP_PROBE_MAX - 1, NULL, 0, IPPROTO_TCP, 443, 0, &done),
	    APP_UNKNOWN);
	ck_assert_int_eq(done, 0);
	/* Cut by a close after the SNI: what is there. */
	ck_assert_int_eq(detect(c, 5 + 4 + 47 + 20, NULL, 0, IPPROTO_TCP, 443, 1, &done),
	    APP_TLS);
	ck_assert_str_eq(info.host, "big.example");
}
END_TEST

START_TEST(test_tls_malformed)
{
	static uint8_t c[4096];
	size_t n = hello(c, "bad.example", "h2", 1, 0, 16384);
	struct {
		const char *name;
		size_t at;
		uint8_t to;
	} edits[] = {
		{ "record type 23", 0, 23 },
		{ "record version 3.0", 2, 0 },
		{ "record version 3.5", 2, 5 },
		{ "record length 0", 4, 0 },
		{ "record length over 2^14", 3, 0x41 },
		{ "ServerHello", 5, 2 },
		{ "hello length 10", 8, 10 },
		{ "legacy version 2.0", 9, 2 },
		{ "session id of 33", 43, 33 },
		{ "odd suites", 45, 3 },
		{ "no compression method", 50, 0 },
		{ "extensions past the end", 52, 0xff },
		{ "extension past the end", 56, 0x7f },
		{ "SNI list length", 58, 0x30 },
		{ "SNI name past the list", 61, 0x30 },
	};

	ck_assert_int_eq(probe(APP_TLS, c, n, NULL, 0, IPPROTO_TCP, 0), APP_YES);
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		uint8_t was = c[edits[i].at];

		c[edits[i].at] = edits[i].to;
		ck_assert_msg(probe(APP_TLS, c, n, NULL, 0, IPPROTO_TCP, 1) == APP_NO, "%s",
		    edits[i].name);
		c[edits[i].at] = was;
	}
	/* Cut short, closed: not even the handshake header. */
	ck_assert_int_eq(probe(APP_TLS, c, 7, NULL, 0, IPPROTO_TCP, 0), APP_MAYBE);
	ck_assert_int_eq(probe(APP_TLS, c, 7, NULL, 0, IPPROTO_TCP, 1), APP_NO);
	/* Server first, or UDP (DTLS is another protocol). */
	ck_assert_int_eq(probe(APP_TLS, NULL, 0, c, n, IPPROTO_TCP, 0), APP_NO);
	ck_assert_int_eq(probe(APP_TLS, c, n, NULL, 0, IPPROTO_UDP, 0), APP_NO);
}
END_TEST

/* A type without a word. */
START_TEST(test_dns_type)
{
	uint8_t q[sizeof(dns_a_udp)];
	struct app_input in;
	struct app_info i2;

	memcpy(q, dns_a_udp, sizeof(q));
	q[sizeof(q) - 3] = 99;
	ck_assert_int_eq(probe(APP_DNS, q, sizeof(q), NULL, 0, IPPROTO_UDP, 0), APP_YES);
	input(&in, q, sizeof(q), NULL, 0, IPPROTO_UDP, 53, 0);
	memset(&i2, 0, sizeof(i2));
	ck_assert_int_eq(app_table[APP_DNS]->probe(&in, &i2), APP_YES);
	ck_assert_str_eq(i2.method, "TYPE99");
}
END_TEST

START_TEST(test_dns_malformed)
{
	static const struct {
		const char *name;
		size_t at;
		uint8_t to;
	} edits[] = {
		{ "a response", 2, 0x81 },
		{ "opcode 3", 2, 0x18 },
		{ "opcode 6", 2, 0x30 },
		{ "Z bit", 3, 0x40 },
		{ "RCODE", 3, 0x03 },
		{ "no question", 5, 0 },
		{ "17 questions", 5, 17 },
		{ "65 answers", 7, 65 },
		{ "a pointer in the question", 12, 0xc0 },
		{ "label type 01", 12, 0x43 },
		{ "label past the name", 16, 8 },
		{ "a control byte", 13, 0x01 },
		{ "QTYPE 0", 30, 0 },
		{ "QCLASS 2", 32, 2 },
	};
	/* The question a pointer to itself: a compression loop. */
	static const uint8_t loop[] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
		0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01 };
	/* An additional record: its name a pointer forward, or an OPT record. */
	static uint8_t ar[sizeof(dns_a_udp) + 12];
	uint8_t q[sizeof(dns_a_udp)], long_name[12 + 300];
	size_t n;

	memcpy(q, dns_a_udp, sizeof(q));
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		uint8_t was = q[edits[i].at];

		q[edits[i].at] = edits[i].to;
		ck_assert_msg(probe(APP_DNS, q, sizeof(q), NULL, 0, IPPROTO_UDP, 0) == APP_NO,
		    "%s", edits[i].name);
		q[edits[i].at] = was;
	}
	ck_assert_int_eq(probe(APP_DNS, loop, sizeof(loop), NULL, 0, IPPROTO_UDP, 0), APP_NO);
	/* Truncated or with trailing bytes. */
	for (n = 0; n < sizeof(q); n++)
		ck_assert_int_eq(probe(APP_DNS, q, n, NULL, 0, IPPROTO_UDP, 0),
		    n == 0 ? APP_MAYBE : APP_NO);
	memcpy(ar, dns_a_udp, sizeof(dns_a_udp));
	ar[11] = 1;
	memcpy(ar + sizeof(dns_a_udp), "\xc0\x40\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 12);
	ck_assert_int_eq(probe(APP_DNS, ar, sizeof(ar), NULL, 0, IPPROTO_UDP, 0), APP_NO);
	memcpy(ar + sizeof(dns_a_udp), "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 11);
	ck_assert_int_eq(probe(APP_DNS, ar, sizeof(ar) - 1, NULL, 0, IPPROTO_UDP, 0), APP_YES);
	ck_assert_int_eq(probe(APP_DNS, ar, sizeof(ar), NULL, 0, IPPROTO_UDP, 0), APP_NO);
	/* Names of 255 bytes (the most) and 256: three labels of 63, then 61 or 62. */
	for (size_t last = 61; last <= 62; last++) {
		memcpy(long_name, dns_a_udp, 12);
		n = 12;
		for (int l = 0; l < 4; l++) {
			long_name[n++] = (uint8_t)(l < 3 ? 63 : last);
			memset(long_name + n, 'x', long_name[n - 1]);
			n += long_name[n - 1];
		}
		memcpy(long_name + n, "\x00\x00\x01\x00\x01", 5);
		n += 5;
		ck_assert_int_eq(probe(APP_DNS, long_name, n, NULL, 0, IPPROTO_UDP, 0),
		    last == 61 ? APP_YES : APP_NO);
	}
	/* TCP: a short length, a cut message (could be, until closed), server first. */
	ck_assert_int_eq(probe(APP_DNS, S("\x00\x10"), NULL, 0, IPPROTO_TCP, 0), APP_NO);
	ck_assert_int_eq(probe(APP_DNS, dns_tcp, 20, NULL, 0, IPPROTO_TCP, 0), APP_MAYBE);
	ck_assert_int_eq(probe(APP_DNS, dns_tcp, 20, NULL, 0, IPPROTO_TCP, 1), APP_NO);
	ck_assert_int_eq(probe(APP_DNS, NULL, 0, dns_a_udp, sizeof(dns_a_udp), IPPROTO_UDP, 0),
	    APP_NO);
}
END_TEST

/* Other families' first bytes are none of the web family's. */
START_TEST(test_other_families)
{
	static const struct {
		const char *name;
		const uint8_t *b;
		size_t len;
	} other[] = {
		{ "SSH", S(ssh_banner) },
		{ "Redis", S(redis_ping) },
		{ "memcached", S(memcached_get) },
		{ "SMTP", S(smtp_ehlo) },
		{ "PostgreSQL", pg_startup, sizeof(pg_startup) },
		{ "MongoDB", mongo_hello, sizeof(mongo_hello) },
	};

	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		for (size_t w = 0; w < NWEB; w++)
			for (int closed = 0; closed < 2; closed++)
				ck_assert_msg(probe(web[w], other[i].b, other[i].len, NULL, 0,
				    IPPROTO_TCP, closed) == APP_NO, "%s: %s, closed %d",
				    other[i].name, app_name(web[w]), closed);
	/* A server-first protocol's greeting: no client bytes. */
	for (size_t w = 0; w < NWEB; w++)
		ck_assert_int_eq(probe(web[w], NULL, 0, S("220 mx.example.com ESMTP\r\n"),
		    IPPROTO_TCP, 0), APP_NO);
}
END_TEST

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * Random bytes are nothing; samples with a byte or two changed may be
 * anything but must not upset a probe (run under the sanitizers).
 */
START_TEST(test_random)
{
	static uint8_t b[APP_PROBE_MAX], s2[APP_PROBE_MAX];
	static const struct {
		const uint8_t *b;
		size_t len;
		uint8_t proto;
	} seeds[] = {
		{ h2_prior, sizeof(h2_prior), IPPROTO_TCP },
		{ grpc_call, sizeof(grpc_call), IPPROTO_TCP },
		{ tls13_curl, sizeof(tls13_curl), IPPROTO_TCP },
		{ dns_aaaa_udp, sizeof(dns_aaaa_udp), IPPROTO_UDP },
		{ dns_tcp, sizeof(dns_tcp), IPPROTO_TCP },
		{ S(curl_get), IPPROTO_TCP },
		{ S(h2c_request), IPPROTO_TCP },
	};
	uint32_t st = 0x9e3779b9;
	int done;

	for (int i = 0; i < 3000; i++) {
		size_t len = 1 + rnd(&st) % 700;

		for (size_t k = 0; k < len; k++)
			b[k] = (uint8_t)rnd(&st);
		for (size_t w = 0; w < NWEB; w++) {
			ck_assert_int_eq(probe(web[w], b, len, NULL, 0, IPPROTO_TCP, 1), APP_NO);
			ck_assert_int_eq(probe(web[w], b, len, NULL, 0, IPPROTO_UDP, 0), APP_NO);
		}
	}
	for (int i = 0; i < 20000; i++) {
		size_t j = rnd(&st) % (sizeof(seeds) / sizeof(seeds[0]));
		size_t len = seeds[j].len, cut = rnd(&st) % (len + 1);

		memcpy(b, seeds[j].b, len);
		for (int e = 1 + (int)(rnd(&st) % 3); e > 0; e--)
			b[rnd(&st) % len] = (uint8_t)rnd(&st);
		memcpy(s2, b, len);
		for (int closed = 0; closed < 2; closed++) {
			detect(b, cut, s2, len - cut, seeds[j].proto, 0, closed, &done);
			for (size_t w = 0; w < NWEB; w++)
				(void)probe(web[w], b, len, NULL, 0, seeds[j].proto, closed);
		}
	}
}
END_TEST

static Suite *
proto_web_suite(void)
{
	Suite *s = suite_create("proto_web");
	TCase *tc = tcase_create("samples");

	tcase_add_loop_test(tc, test_sample, 0, (int)NSAMPLES);
	suite_add_tcase(s, tc);
	tc = tcase_create("http");
	tcase_add_test(tc, test_http_head_end);
	tcase_add_test(tc, test_http_not);
	tcase_add_test(tc, test_h2c_unanswered);
	suite_add_tcase(s, tc);
	tc = tcase_create("http2");
	tcase_add_test(tc, test_grpc_not);
	tcase_add_test(tc, test_h2_limit);
	tcase_add_test(tc, test_h2_malformed);
	suite_add_tcase(s, tc);
	tc = tcase_create("tls");
	tcase_add_test(tc, test_tls_limit);
	tcase_add_test(tc, test_tls_malformed);
	suite_add_tcase(s, tc);
	tc = tcase_create("dns");
	tcase_add_test(tc, test_dns_type);
	tcase_add_test(tc, test_dns_malformed);
	suite_add_tcase(s, tc);
	tc = tcase_create("robust");
	tcase_add_test(tc, test_other_families);
	tcase_add_test(tc, test_random);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(proto_web_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
