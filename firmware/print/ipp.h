/*
 * ipp.h — IPP/1.1 messages (RFC 8010): an encoder into a capped kk_buf and a strict, capped
 * decoder for what a printer answers.
 *
 * Every byte of a response is hostile (a network printer, or firmware on the far side of an
 * IPP-over-USB pipe). The decoder checks every length against what is left, every fixed-size
 * value (integer 4, boolean 1, rangeOfInteger 8, resolution 9, dateTime 11) against its size,
 * group and collection structure, and caps the message size, the number of attributes and
 * values, the length of one value and the depth of nested collections (KK_EPROTO for a broken
 * message, KK_E2BIG for one over a cap). A decoded message owns copies of its strings, each
 * NUL-terminated; values with a NUL inside are refused except octetString.
 *
 * Layout of a decoded message: attributes in wire order in `attrs`; each names a run of values
 * in `values`. A collection value (tag KK_IPP_BEGCOL) names the run of attributes that are its
 * members (depth one more than the collection's attribute); member attributes carry the index
 * of the value they belong to, so lookups at top level skip them.
 *
 * Pure computation: no I/O, no global state; any thread. Not thread-safe per message.
 */
#ifndef KK_PRINT_IPP_H
#define KK_PRINT_IPP_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Caps on a decoded message. A Get-Printer-Attributes answer of a real printer for the
 * attributes the kiosk asks for is a few kB; ippeveprinter's "all" is about 9 kB. */
#define KK_IPP_MAX_MSG (1u << 20)  /* bytes of one message */
#define KK_IPP_MAX_ATTRS 4096u     /* attributes, collection members included */
#define KK_IPP_MAX_VALUES 16384u   /* values in all attributes */
#define KK_IPP_MAX_VALUE_LEN 4096u /* bytes of one value (RFC 8011 text is at most 1023) */
#define KK_IPP_MAX_DEPTH 8u        /* nested collections */

/* Delimiter (group) tags. */
enum kk_ipp_group {
	KK_IPP_GROUP_OPERATION = 0x01,
	KK_IPP_GROUP_JOB = 0x02,
	KK_IPP_GROUP_END = 0x03,
	KK_IPP_GROUP_PRINTER = 0x04,
	KK_IPP_GROUP_UNSUPPORTED = 0x05
};

/* Value tags. */
enum kk_ipp_vtag {
	KK_IPP_UNSUPPORTED = 0x10,
	KK_IPP_UNKNOWN = 0x12,
	KK_IPP_NOVALUE = 0x13,
	KK_IPP_INTEGER = 0x21,
	KK_IPP_BOOLEAN = 0x22,
	KK_IPP_ENUM = 0x23,
	KK_IPP_OCTETSTRING = 0x30,
	KK_IPP_DATETIME = 0x31,
	KK_IPP_RESOLUTION = 0x32,
	KK_IPP_RANGE = 0x33,
	KK_IPP_BEGCOL = 0x34,
	KK_IPP_TEXTLANG = 0x35,
	KK_IPP_NAMELANG = 0x36,
	KK_IPP_ENDCOL = 0x37,
	KK_IPP_TEXT = 0x41,
	KK_IPP_NAME = 0x42,
	KK_IPP_KEYWORD = 0x44,
	KK_IPP_URI = 0x45,
	KK_IPP_URISCHEME = 0x46,
	KK_IPP_CHARSET = 0x47,
	KK_IPP_LANGUAGE = 0x48,
	KK_IPP_MIMETYPE = 0x49,
	KK_IPP_MEMBERNAME = 0x4a,
	KK_IPP_EXTENSION = 0x7f
};

/* Operations the kiosk sends. */
enum kk_ipp_op {
	KK_IPP_OP_PRINT_JOB = 0x0002,
	KK_IPP_OP_CANCEL_JOB = 0x0008,
	KK_IPP_OP_GET_JOB_ATTRIBUTES = 0x0009,
	KK_IPP_OP_GET_PRINTER_ATTRIBUTES = 0x000b
};

/* job-state (RFC 8011 5.3.7). */
enum kk_ipp_job_state {
	KK_IPP_JOB_PENDING = 3,
	KK_IPP_JOB_HELD = 4,
	KK_IPP_JOB_PROCESSING = 5,
	KK_IPP_JOB_STOPPED = 6,
	KK_IPP_JOB_CANCELED = 7,
	KK_IPP_JOB_ABORTED = 8,
	KK_IPP_JOB_COMPLETED = 9
};

/* printer-state. */
enum kk_ipp_printer_state { KK_IPP_PRINTER_IDLE = 3, KK_IPP_PRINTER_PROCESSING = 4,
			    KK_IPP_PRINTER_STOPPED = 5 };

struct kk_ipp_value {
	uint8_t tag;       /* enum kk_ipp_vtag (or an unknown tag kept as bytes) */
	int32_t i;         /* integer, enum, boolean; range lower; resolution across */
	int32_t i2;        /* range upper; resolution down */
	uint8_t units;     /* resolution: 3 dots per inch, 4 per cm */
	const char *s;     /* string value, NUL-terminated ("" for non-strings); owned by msg */
	size_t len;        /* bytes of s (octetString and dateTime may hold NULs) */
	const char *lang;  /* textWithLanguage/nameWithLanguage: the language, else "" */
	unsigned mfirst;   /* collection: index of its first member attribute */
	unsigned mcount;   /* collection: number of member attributes */
};

struct kk_ipp_attr {
	uint8_t group;     /* enum kk_ipp_group it came in */
	unsigned depth;    /* 0 top level, 1 member of a collection, ... */
	const char *name;  /* owned by msg */
	unsigned first;    /* index of the first value in msg->values */
	unsigned count;    /* number of values (1setOf) */
};

struct kk_ipp_msg {
	uint8_t major, minor;
	uint16_t code;          /* operation-id (request) or status-code (response) */
	uint32_t request_id;
	struct kk_ipp_attr *attrs;
	unsigned n_attrs;
	struct kk_ipp_value *values;
	unsigned n_values;
	char *strings;          /* arena every s, lang and name points into */
	size_t data_offset;     /* where document data after end-of-attributes starts */
};

/* ---- encoder: append to a caller-owned buffer whose cap bounds the message ------------- */

/*
 * Start a message: version 1.1, code (operation-id or status-code), request_id, then the
 * operation-attributes group with attributes-charset utf-8 and attributes-natural-language
 * (lang, "en" when NULL). Returns 0 or KK_E2BIG/KK_ENOMEM from the buffer.
 */
int kk_ipp_begin(struct kk_buf *b, uint16_t code, uint32_t request_id, const char *lang);
/* A delimiter tag (a new group, or KK_IPP_GROUP_END). */
int kk_ipp_add_group(struct kk_buf *b, uint8_t tag);
/*
 * One value with raw bytes. name NULL or "" adds another value to the previous attribute
 * (1setOf). KK_EINVAL when the name or value is longer than 32767 bytes.
 */
int kk_ipp_add_raw(struct kk_buf *b, uint8_t tag, const char *name, const void *v, size_t n);
/* A string value (text, name, keyword, uri, charset, language, mimeMediaType, member name). */
int kk_ipp_add_str(struct kk_buf *b, uint8_t tag, const char *name, const char *s);
/* integer or enum (big-endian 4 bytes). */
int kk_ipp_add_int(struct kk_buf *b, uint8_t tag, const char *name, int32_t v);
int kk_ipp_add_bool(struct kk_buf *b, const char *name, int v);
int kk_ipp_add_range(struct kk_buf *b, const char *name, int32_t lo, int32_t hi);
int kk_ipp_add_resolution(struct kk_buf *b, const char *name, int32_t x, int32_t y, uint8_t units);
/* Collections: begin (name NULL = next value of a 1setOf collection), member name, end. */
int kk_ipp_add_col_begin(struct kk_buf *b, const char *name);
int kk_ipp_add_col_member(struct kk_buf *b, const char *member);
int kk_ipp_add_col_end(struct kk_buf *b);

/* ---- decoder ---------------------------------------------------------------------------- */

/*
 * Decode the n bytes at p into *m (zeroed first). Returns 0, KK_EPROTO (malformed),
 * KK_E2BIG (over a cap) or KK_ENOMEM; on error *m is empty and kk_ipp_msg_fini() is safe.
 * The caller owns *m and frees it with kk_ipp_msg_fini().
 */
int kk_ipp_parse(const void *p, size_t n, struct kk_ipp_msg *m);
void kk_ipp_msg_fini(struct kk_ipp_msg *m);

/* The first top-level attribute called name in group (0: any group), or NULL. */
const struct kk_ipp_attr *kk_ipp_find(const struct kk_ipp_msg *m, uint8_t group, const char *name);
/* The member called name of collection value v, or NULL. */
const struct kk_ipp_attr *kk_ipp_member(const struct kk_ipp_msg *m, const struct kk_ipp_value *v,
				       const char *name);
/* Value i of a (NULL when a is NULL or i is out of range). */
const struct kk_ipp_value *kk_ipp_value(const struct kk_ipp_msg *m, const struct kk_ipp_attr *a,
				       unsigned i);
/* Integer/enum/boolean value 0 of the named attribute, or def when absent or of another type. */
int32_t kk_ipp_get_int(const struct kk_ipp_msg *m, uint8_t group, const char *name, int32_t def);
/* String value 0 of the named attribute, or NULL. Points into m. */
const char *kk_ipp_get_str(const struct kk_ipp_msg *m, uint8_t group, const char *name);

/* "successful-ok", "client-error-not-found" ... for logs; "unknown-status" for other codes.
 * Static string. */
const char *kk_ipp_status_name(uint16_t status);
/* "pending" ... "completed"; "unknown" otherwise. Static string. */
const char *kk_ipp_job_state_name(int state);

#endif
