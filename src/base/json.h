/*
 * json.h: a bounded JSON parser (RFC 8259) for what nvd reads from the
 * Docker Engine API.
 *
 * json_parse() reads one whole document and builds a read-only tree.  The
 * tree, its strings and numbers are copied into one arena that belongs to
 * the document, so the input buffer may be freed right after parsing and
 * json_free() releases everything at once.  Every node pointer is valid
 * until json_free() of its document.
 *
 * The parser is strict: one value, optionally surrounded by whitespace;
 * strings must be valid UTF-8 (RFC 3629: no overlong forms, no encoded
 * surrogates, nothing above U+10FFFF) without raw control characters;
 * \uXXXX escapes are decoded to UTF-8, a surrogate pair to one code point,
 * and a lone surrogate is an error.  Depth, node count and input size are
 * limited.  Duplicate object keys are kept; json_get() returns the first.
 *
 * No global state: any thread may parse; one document may be read by
 * several threads at once as long as none frees it.
 */
#ifndef NVD_JSON_H
#define NVD_JSON_H

#include <stddef.h>
#include <stdint.h>

enum json_type {
	JSON_ABSENT = 0,	/* json_type(NULL): a lookup found nothing */
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

#define JSON_MAX_DEPTH	64
#define JSON_MAX_NODES	(1u << 19)
#define JSON_MAX_SIZE	(16u << 20)

/* Limits for one document; json_parse() uses the defaults above for NULL. */
struct json_limits {
	unsigned int max_depth;	/* nested arrays/objects; the root is depth 1 */
	size_t max_nodes;	/* values, object members included */
	size_t max_size;	/* input bytes */
};

/*
 * Where and why parsing stopped.  msg reads "offset 17: expected ':' after
 * object key"; offset is the byte offset of the offending input byte
 * (len for a document that ends too early).
 */
struct json_error {
	size_t offset;
	char msg[96];
};

struct json;		/* one value; opaque */
struct json_doc;	/* a parsed document and its arena */

/*
 * Parses len bytes of buf (no NUL needed).  Returns the document, or NULL
 * with *err filled on a syntax error, a limit hit or out of memory.
 */
struct json_doc *json_parse(const char *buf, size_t len,
    const struct json_limits *lim, struct json_error *err);
/* Frees the document and every node in it; NULL is ignored. */
void json_free(struct json_doc *doc);
const struct json *json_root(const struct json_doc *doc);

/*
 * The accessors accept NULL for a node and then return JSON_ABSENT, NULL
 * or 0, so lookups can be chained without checks in between.
 */
enum json_type json_type(const struct json *n);
/* Members of an array or object; 0 for anything else. */
size_t json_len(const struct json *n);
/* The i-th element of an array, or member of an object (NULL past the end). */
const struct json *json_index(const struct json *n, size_t i);
/* The first member of object n with that key, or NULL. */
const struct json *json_get(const struct json *n, const char *key);
/*
 * Follows object keys from n: json_path(root, "NetworkSettings", "Networks").
 * NULL when a key is missing or a node on the way is not an object.
 */
#define json_path(n, ...)	json_pathv((n), __VA_ARGS__, (const char *)NULL)
const struct json *json_pathv(const struct json *n, ...) __attribute__((sentinel));
/*
 * The key of an object member (as returned by json_index), or NULL; NULL
 * too for a key holding U+0000 (see json_str).
 */
const char *json_key(const struct json *n);

/*
 * A string's decoded UTF-8 text, NUL-terminated.  NULL if n is not a
 * string, or if it holds U+0000: C string functions would see a shortened
 * value, and no Docker field has a reason to carry one.
 */
const char *json_str(const struct json *n);
/* Bytes of json_str(n) without the NUL; 0 when json_str(n) is NULL. */
size_t json_strlen(const struct json *n);
/* 1 or 0 for true/false; -1 if n is not a boolean. */
int json_bool(const struct json *n);

/*
 * Numbers are kept as their text (json_num_text).  The readers below
 * return 0 and set *out, or -1 if n is not a number or does not fit:
 * json_int64/json_uint64 take integers only (no fraction, no exponent,
 * no '-' for uint64), json_double rejects overflow to infinity.
 * json_double uses strtod and so the C locale's decimal point.
 */
const char *json_num_text(const struct json *n);
int json_int64(const struct json *n, int64_t *out);
int json_uint64(const struct json *n, uint64_t *out);
int json_double(const struct json *n, double *out);

#endif
