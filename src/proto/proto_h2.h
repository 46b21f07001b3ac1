/*
 * proto_h2.h: the first request of an HTTP/2 connection opened with prior
 * knowledge, for proto_http2.c and proto_grpc.c (RFC 9113, RFC 7541).
 */
#ifndef NVD_PROTO_H2_H
#define NVD_PROTO_H2_H

#include "proto/app.h"

/* The fields of the first request that detection reports or tests; empty if absent. */
struct h2_request {
	char method[16];	/* :method */
	char path[256];		/* :path */
	char authority[256];	/* :authority, else the host field */
	char content_type[64];
};

/*
 * Reads the client's connection preface, its frames up to the first
 * HEADERS frame and the header block that frame opens, decoding it with
 * HPACK.  Returns APP_NO when the client bytes are not HTTP/2 or are
 * malformed, APP_MAYBE while more bytes are needed, APP_YES when req is
 * filled: the block is complete, or the client closed or reached
 * APP_PROBE_MAX bytes first (then req holds what those bytes carried).
 */
enum app_result h2_first_request(const struct app_input *in, struct h2_request *req);

/*
 * Whether the request is a gRPC call (1, else 0): content-type
 * application/grpc, or application/grpc+proto and the like (gRPC's
 * PROTOCOL-HTTP2.md).
 */
int h2_is_grpc(const struct h2_request *req);

/*
 * The first request, as h2_first_request() reads it, for a probe: APP_NO
 * also when it is (grpc 0) or is not (grpc 1) a gRPC call; on APP_YES
 * info has its method, path, authority as host, and version "2".
 */
enum app_result h2_prior_knowledge(const struct app_input *in, int grpc, struct app_info *info);

#endif
