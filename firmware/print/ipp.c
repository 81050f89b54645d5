/*
 * ipp.c — IPP/1.1 message encoder and strict, capped decoder (RFC 8010 section 3).
 *
 * Wire format: version (2 bytes), operation-id or status-code (2), request-id (4), then
 * attribute groups: a delimiter tag (0x01..0x0f), then attributes, each
 *   value-tag (1) name-length (2) name value-length (2) value
 * where a name-length of 0 adds a value to the previous attribute (1setOf), until the
 * end-of-attributes tag 0x03. A collection is a begCollection value, then for each member
 * a memberAttrName (name-length 0, value = the member's name) and the member's values (name-
 * length 0), then endCollection (both lengths 0).
 *
 * Memory: the decoder makes one string arena of n + 1 bytes: every name and string value is
 * preceded on the wire by a 2-byte length, so the copies with their NULs always fit.
 */
#include "print/ipp.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"

/* ---- encoder ---------------------------------------------------------------------------- */

/* Append v as two big-endian bytes. */
static int ipp_put16(struct kk_buf *b, unsigned v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	return kk_buf_add(b, x, 2);
}

/* Encoder (ipp.h): every call appends to the caller's capped buffer and returns its error. */
int kk_ipp_begin(struct kk_buf *b, uint16_t code, uint32_t request_id, const char *lang)
{
	uint8_t h[8] = { 1, 1, (uint8_t)(code >> 8), (uint8_t)code, (uint8_t)(request_id >> 24),
			 (uint8_t)(request_id >> 16), (uint8_t)(request_id >> 8), (uint8_t)request_id };
	int rc;

	if ((rc = kk_buf_add(b, h, sizeof h)) || (rc = kk_ipp_add_group(b, KK_IPP_GROUP_OPERATION)) ||
	    (rc = kk_ipp_add_str(b, KK_IPP_CHARSET, "attributes-charset", "utf-8")))
		return rc;
	return kk_ipp_add_str(b, KK_IPP_LANGUAGE, "attributes-natural-language", lang ? lang : "en");
}

int kk_ipp_add_group(struct kk_buf *b, uint8_t tag)
{
	return kk_buf_add(b, &tag, 1);
}

int kk_ipp_add_raw(struct kk_buf *b, uint8_t tag, const char *name, const void *v, size_t n)
{
	size_t nl = name ? strlen(name) : 0;
	int rc;

	if (nl > 32767 || n > 32767)
		return KK_EINVAL;
	if ((rc = kk_buf_add(b, &tag, 1)) || (rc = ipp_put16(b, (unsigned)nl)) ||
	    (rc = kk_buf_add(b, name, nl)) || (rc = ipp_put16(b, (unsigned)n)))
		return rc;
	return kk_buf_add(b, v, n);
}

int kk_ipp_add_str(struct kk_buf *b, uint8_t tag, const char *name, const char *s)
{
	return kk_ipp_add_raw(b, tag, name, s ? s : "", s ? strlen(s) : 0);
}

/* Store v as four big-endian bytes at p. */
static void ipp_be32(uint8_t *p, int32_t v)
{
	uint32_t u = (uint32_t)v;
	p[0] = (uint8_t)(u >> 24);
	p[1] = (uint8_t)(u >> 16);
	p[2] = (uint8_t)(u >> 8);
	p[3] = (uint8_t)u;
}

int kk_ipp_add_int(struct kk_buf *b, uint8_t tag, const char *name, int32_t v)
{
	uint8_t x[4];
	ipp_be32(x, v);
	return kk_ipp_add_raw(b, tag, name, x, 4);
}

int kk_ipp_add_bool(struct kk_buf *b, const char *name, int v)
{
	uint8_t x = v ? 1 : 0;
	return kk_ipp_add_raw(b, KK_IPP_BOOLEAN, name, &x, 1);
}

int kk_ipp_add_range(struct kk_buf *b, const char *name, int32_t lo, int32_t hi)
{
	uint8_t x[8];
	ipp_be32(x, lo);
	ipp_be32(x + 4, hi);
	return kk_ipp_add_raw(b, KK_IPP_RANGE, name, x, 8);
}

int kk_ipp_add_resolution(struct kk_buf *b, const char *name, int32_t x, int32_t y, uint8_t units)
{
	uint8_t v[9];
	ipp_be32(v, x);
	ipp_be32(v + 4, y);
	v[8] = units;
	return kk_ipp_add_raw(b, KK_IPP_RESOLUTION, name, v, 9);
}

int kk_ipp_add_col_begin(struct kk_buf *b, const char *name)
{
	return kk_ipp_add_raw(b, KK_IPP_BEGCOL, name, "", 0);
}

int kk_ipp_add_col_member(struct kk_buf *b, const char *member)
{
	return kk_ipp_add_str(b, KK_IPP_MEMBERNAME, NULL, member);
}

int kk_ipp_add_col_end(struct kk_buf *b)
{
	return kk_ipp_add_raw(b, KK_IPP_ENDCOL, NULL, "", 0);
}

/* ---- decoder ---------------------------------------------------------------------------- */

/* One open collection while decoding. */
struct ipp_open_col {
	unsigned value;    /* index of the begCollection value */
	unsigned attr;     /* index of the attribute holding it */
	long cur_attr;     /* the parent level's current attribute, restored at endCollection */
};

struct ipp_dec {
	const uint8_t *p;
	size_t n, i;
	struct kk_ipp_msg *m;
	unsigned cap_attrs, cap_values;
	size_t arena_used;
	/* While decoding, an attribute's values are a chain (members of a collection value come
	 * between two values of a 1setOf collection); ipp_compact() lays them out in a row. */
	unsigned *next;  /* per value: the next value of the same attribute */
	unsigned *last;  /* per attribute: its last value so far */
};

/* The big-endian 32-bit number at p. */
static uint32_t ipp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Copy n bytes into the arena, NUL-terminated; returns the copy. Cannot overflow (see top). */
static const char *ipp_keep(struct ipp_dec *d, const uint8_t *s, size_t n)
{
	char *o = d->m->strings + d->arena_used;
	memcpy(o, s, n);
	o[n] = '\0';
	d->arena_used += n + 1;
	return o;
}

/* A new attribute at depth with the given name; returns its index or a negative kk_err. */
static long ipp_new_attr(struct ipp_dec *d, uint8_t group, unsigned depth, const char *name)
{
	struct kk_ipp_msg *m = d->m;
	if (m->n_attrs >= KK_IPP_MAX_ATTRS)
		return KK_E2BIG;
	if (m->n_attrs == d->cap_attrs) {
		unsigned nc = d->cap_attrs ? d->cap_attrs * 2 : 32;
		struct kk_ipp_attr *na = realloc(m->attrs, nc * sizeof *na);
		if (!na)
			return KK_ENOMEM;
		m->attrs = na;
		unsigned *nl = realloc(d->last, nc * sizeof *nl);
		if (!nl)
			return KK_ENOMEM;
		d->last = nl;
		d->cap_attrs = nc;
	}
	m->attrs[m->n_attrs] = (struct kk_ipp_attr){ .group = group, .depth = depth, .name = name,
						     .first = m->n_values, .count = 0 };
	return (long)m->n_attrs++;
}

/* Room for one more value; returns it (zeroed, s = "") or NULL with *rc set. */
static struct kk_ipp_value *ipp_new_value(struct ipp_dec *d, int *rc)
{
	struct kk_ipp_msg *m = d->m;
	if (m->n_values >= KK_IPP_MAX_VALUES) {
		*rc = KK_E2BIG;
		return NULL;
	}
	if (m->n_values == d->cap_values) {
		unsigned nc = d->cap_values ? d->cap_values * 2 : 64;
		struct kk_ipp_value *nv = realloc(m->values, nc * sizeof *nv);
		if (!nv) {
			*rc = KK_ENOMEM;
			return NULL;
		}
		m->values = nv;
		unsigned *nn = realloc(d->next, nc * sizeof *nn);
		if (!nn) {
			*rc = KK_ENOMEM;
			return NULL;
		}
		d->next = nn;
		d->cap_values = nc;
	}
	struct kk_ipp_value *v = &m->values[m->n_values];
	*v = (struct kk_ipp_value){ .s = "", .lang = "" };
	return v;
}

/* 1 if the n bytes at s are a keyword-like name: printable ASCII, no space. */
static int ipp_name_ok(const uint8_t *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t k = 0; k < n; k++)
		if (s[k] < 0x21 || s[k] > 0x7e)
			return 0;
	return 1;
}

/* Fill v from the value bytes of a value of type tag. */
static int ipp_fill_value(struct ipp_dec *d, struct kk_ipp_value *v, uint8_t tag,
			  const uint8_t *p, size_t len)
{
	v->tag = tag;
	switch (tag) {
	case KK_IPP_INTEGER:
	case KK_IPP_ENUM:
		if (len != 4)
			return KK_EPROTO;
		v->i = (int32_t)ipp_get32(p);
		return 0;
	case KK_IPP_BOOLEAN:
		if (len != 1 || p[0] > 1)
			return KK_EPROTO;
		v->i = p[0];
		return 0;
	case KK_IPP_RANGE:
		if (len != 8)
			return KK_EPROTO;
		v->i = (int32_t)ipp_get32(p);
		v->i2 = (int32_t)ipp_get32(p + 4);
		return v->i <= v->i2 ? 0 : KK_EPROTO;
	case KK_IPP_RESOLUTION:
		if (len != 9 || (p[8] != 3 && p[8] != 4))
			return KK_EPROTO;
		v->i = (int32_t)ipp_get32(p);
		v->i2 = (int32_t)ipp_get32(p + 4);
		v->units = p[8];
		return 0;
	case KK_IPP_DATETIME:
		if (len != 11)
			return KK_EPROTO;
		v->s = ipp_keep(d, p, len);
		v->len = len;
		return 0;
	case KK_IPP_BEGCOL:
		/* RFC 8010 3.1.6: value-length 0; the members follow */
		return len == 0 ? 0 : KK_EPROTO;
	case KK_IPP_TEXTLANG:
	case KK_IPP_NAMELANG: {
		size_t ll, tl;
		if (len < 4)
			return KK_EPROTO;
		ll = (size_t)p[0] << 8 | p[1];
		if (ll > len - 4)
			return KK_EPROTO;
		tl = (size_t)p[2 + ll] << 8 | p[3 + ll];
		if (4 + ll + tl != len || memchr(p + 2, 0, ll) || memchr(p + 4 + ll, 0, tl))
			return KK_EPROTO;
		v->lang = ipp_keep(d, p + 2, ll);
		v->s = ipp_keep(d, p + 4 + ll, tl);
		v->len = tl;
		return 0;
	}
	default:
		if (tag >= 0x10 && tag <= 0x1f) /* out-of-band: no value */
			return len == 0 ? 0 : KK_EPROTO;
		/* strings (text, name, keyword, uri, ...): no NUL inside; octetString and
		 * unknown types are kept as bytes */
		if (tag >= 0x40 && tag <= 0x5f && memchr(p, 0, len))
			return KK_EPROTO;
		v->s = ipp_keep(d, p, len);
		v->len = len;
		return 0;
	}
}

/* Take 2 + n bytes of a length-prefixed field at d->i; *out points at the field's bytes. */
static int ipp_take(struct ipp_dec *d, const uint8_t **out, size_t *len)
{
	size_t n;
	if (d->n - d->i < 2)
		return KK_EPROTO;
	n = (size_t)d->p[d->i] << 8 | d->p[d->i + 1];
	d->i += 2;
	if (n > KK_IPP_MAX_VALUE_LEN)
		return KK_E2BIG;
	if (d->n - d->i < n)
		return KK_EPROTO;
	*out = d->p + d->i;
	*len = n;
	d->i += n;
	return 0;
}

/* The attribute loop: everything after the 8-byte header. */
static int ipp_decode(struct ipp_dec *d)
{
	struct kk_ipp_msg *m = d->m;
	struct ipp_open_col stack[KK_IPP_MAX_DEPTH];
	unsigned depth = 0;
	uint8_t group = 0;
	long cur_attr = -1;          /* attribute that takes further values at this depth */
	const char *member = NULL;   /* memberAttrName waiting for its first value */
	int rc;

	for (;;) {
		const uint8_t *name, *val;
		size_t nlen, vlen;
		uint8_t tag;

		if (d->i >= d->n)
			return KK_EPROTO; /* no end-of-attributes */
		tag = d->p[d->i++];
		if (tag < 0x10) { /* delimiter */
			if (depth > 0 || member || tag == 0)
				return KK_EPROTO;
			if (tag == KK_IPP_GROUP_END) {
				m->data_offset = d->i;
				return 0;
			}
			group = tag;
			cur_attr = -1;
			continue;
		}
		if (group == 0 || tag == KK_IPP_EXTENSION)
			return KK_EPROTO;
		if ((rc = ipp_take(d, &name, &nlen)) || (rc = ipp_take(d, &val, &vlen)))
			return rc;
		if (nlen > 0 && !ipp_name_ok(name, nlen))
			return KK_EPROTO;

		if (tag == KK_IPP_ENDCOL) {
			if (depth == 0 || member || nlen || vlen)
				return KK_EPROTO;
			depth--;
			m->values[stack[depth].value].mcount =
				m->n_attrs - m->values[stack[depth].value].mfirst;
			cur_attr = stack[depth].cur_attr;
			continue;
		}
		if (tag == KK_IPP_MEMBERNAME) {
			if (depth == 0 || member || nlen || !ipp_name_ok(val, vlen))
				return KK_EPROTO;
			member = ipp_keep(d, val, vlen);
			cur_attr = -1;
			continue;
		}
		if (depth > 0 && nlen > 0)
			return KK_EPROTO; /* members are named by memberAttrName only */
		if (nlen > 0 || member) {
			long a = ipp_new_attr(d, group, depth, member ? member : ipp_keep(d, name, nlen));
			if (a < 0)
				return (int)a;
			cur_attr = a;
			member = NULL;
		} else if (cur_attr < 0) {
			return KK_EPROTO; /* an additional value with nothing before it */
		}

		struct kk_ipp_value *v = ipp_new_value(d, &rc);
		if (!v)
			return rc;
		if ((rc = ipp_fill_value(d, v, tag, val, vlen)))
			return rc;
		/* chain the value to its attribute */
		if (m->attrs[cur_attr].count++ == 0)
			m->attrs[cur_attr].first = m->n_values;
		else
			d->next[d->last[cur_attr]] = m->n_values;
		d->last[cur_attr] = m->n_values;
		m->n_values++;
		if (tag == KK_IPP_BEGCOL) {
			if (depth >= KK_IPP_MAX_DEPTH)
				return KK_E2BIG;
			v->mfirst = m->n_attrs;
			stack[depth] = (struct ipp_open_col){ .value = m->n_values - 1,
							      .attr = (unsigned)cur_attr,
							      .cur_attr = cur_attr };
			depth++;
			cur_attr = -1;
		}
	}
}

/* Lay every attribute's values out in a row (attr->first .. first + count - 1). */
static int ipp_compact(struct ipp_dec *d)
{
	struct kk_ipp_msg *m = d->m;
	struct kk_ipp_value *nv;
	unsigned pos = 0;

	if (m->n_values == 0)
		return 0;
	nv = malloc(m->n_values * sizeof *nv);
	if (!nv)
		return KK_ENOMEM;
	for (unsigned k = 0; k < m->n_attrs; k++) {
		struct kk_ipp_attr *a = &m->attrs[k];
		unsigned v = a->first;
		a->first = pos;
		for (unsigned i = 0; i < a->count; i++) {
			nv[pos++] = m->values[v];
			v = d->next[v];
		}
	}
	free(m->values);
	m->values = nv;
	return 0;
}

/* Decode a whole message (ipp.h); on any error *m is left empty. */
int kk_ipp_parse(const void *p, size_t n, struct kk_ipp_msg *m)
{
	struct ipp_dec d = { .p = p, .n = n, .i = 8, .m = m };
	const uint8_t *b = p;
	int rc;

	memset(m, 0, sizeof *m);
	if (!p || n < 9)
		return KK_EPROTO;
	if (n > KK_IPP_MAX_MSG)
		return KK_E2BIG;
	if (b[0] < 1 || b[0] > 2)
		return KK_EPROTO;
	m->major = b[0];
	m->minor = b[1];
	m->code = (uint16_t)(b[2] << 8 | b[3]);
	m->request_id = ipp_get32(b + 4);
	m->strings = malloc(n + 1);
	if (!m->strings)
		return KK_ENOMEM;
	rc = ipp_decode(&d);
	if (!rc)
		rc = ipp_compact(&d);
	free(d.next);
	free(d.last);
	if (rc)
		kk_ipp_msg_fini(m);
	return rc;
}

/* Free what a decoded message owns; safe on an empty or finished one. */
void kk_ipp_msg_fini(struct kk_ipp_msg *m)
{
	if (!m)
		return;
	free(m->attrs);
	free(m->values);
	free(m->strings);
	memset(m, 0, sizeof *m);
}

const struct kk_ipp_attr *kk_ipp_find(const struct kk_ipp_msg *m, uint8_t group, const char *name)
{
	for (unsigned k = 0; m && name && k < m->n_attrs; k++) {
		const struct kk_ipp_attr *a = &m->attrs[k];
		if (a->depth == 0 && (!group || a->group == group) && strcmp(a->name, name) == 0)
			return a;
	}
	return NULL;
}

const struct kk_ipp_attr *kk_ipp_member(const struct kk_ipp_msg *m, const struct kk_ipp_value *v,
				       const char *name)
{
	if (!m || !v || v->tag != KK_IPP_BEGCOL || !name || v->mfirst >= m->n_attrs)
		return NULL;
	unsigned depth = m->attrs[v->mfirst].depth;
	for (unsigned k = v->mfirst; k < v->mfirst + v->mcount && k < m->n_attrs; k++) {
		const struct kk_ipp_attr *a = &m->attrs[k];
		if (a->depth == depth && strcmp(a->name, name) == 0)
			return a;
	}
	return NULL;
}

const struct kk_ipp_value *kk_ipp_value(const struct kk_ipp_msg *m, const struct kk_ipp_attr *a,
				       unsigned i)
{
	if (!m || !a || i >= a->count || a->first + i >= m->n_values)
		return NULL;
	return &m->values[a->first + i];
}

int32_t kk_ipp_get_int(const struct kk_ipp_msg *m, uint8_t group, const char *name, int32_t def)
{
	const struct kk_ipp_value *v = kk_ipp_value(m, kk_ipp_find(m, group, name), 0);
	if (!v || (v->tag != KK_IPP_INTEGER && v->tag != KK_IPP_ENUM && v->tag != KK_IPP_BOOLEAN))
		return def;
	return v->i;
}

const char *kk_ipp_get_str(const struct kk_ipp_msg *m, uint8_t group, const char *name)
{
	const struct kk_ipp_value *v = kk_ipp_value(m, kk_ipp_find(m, group, name), 0);
	if (!v || v->tag < 0x35 || v->tag == KK_IPP_ENDCOL || v->tag == KK_IPP_MEMBERNAME)
		return NULL;
	return v->s;
}

const char *kk_ipp_status_name(uint16_t status)
{
	static const struct {
		uint16_t code;
		const char *name;
	} names[] = {
		{ 0x0000, "successful-ok" },
		{ 0x0001, "successful-ok-ignored-or-substituted-attributes" },
		{ 0x0002, "successful-ok-conflicting-attributes" },
		{ 0x0400, "client-error-bad-request" },
		{ 0x0401, "client-error-forbidden" },
		{ 0x0402, "client-error-not-authenticated" },
		{ 0x0403, "client-error-not-authorized" },
		{ 0x0404, "client-error-not-possible" },
		{ 0x0405, "client-error-timeout" },
		{ 0x0406, "client-error-not-found" },
		{ 0x0407, "client-error-gone" },
		{ 0x0408, "client-error-request-entity-too-large" },
		{ 0x040a, "client-error-document-format-not-supported" },
		{ 0x040b, "client-error-attributes-or-values-not-supported" },
		{ 0x040e, "client-error-compression-not-supported" },
		{ 0x040f, "client-error-compression-error" },
		{ 0x0410, "client-error-document-format-error" },
		{ 0x0500, "server-error-internal-error" },
		{ 0x0501, "server-error-operation-not-supported" },
		{ 0x0502, "server-error-service-unavailable" },
		{ 0x0503, "server-error-version-not-supported" },
		{ 0x0504, "server-error-device-error" },
		{ 0x0505, "server-error-temporary-error" },
		{ 0x0506, "server-error-not-accepting-jobs" },
		{ 0x0507, "server-error-busy" },
		{ 0x0508, "server-error-job-canceled" },
	};
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
		if (names[k].code == status)
			return names[k].name;
	return "unknown-status";
}

const char *kk_ipp_job_state_name(int state)
{
	static const char *const names[] = { "pending", "pending-held", "processing",
					     "processing-stopped", "canceled", "aborted",
					     "completed" };
	if (state < KK_IPP_JOB_PENDING || state > KK_IPP_JOB_COMPLETED)
		return "unknown";
	return names[state - KK_IPP_JOB_PENDING];
}
