/*
 * fuzz_ipp.c — libFuzzer entry point for what a printer sends back over IPP: the IPP/1.1
 * decoder (firmware/print/ipp.c), the HTTP/1.1 response parser (firmware/print/http.c) and
 * the reading of printer attributes (kk_ipp_printer_parse). The first byte picks the mode:
 *   even  the rest is one IPP message;
 *   odd   the rest is a keep-alive stream of HTTP responses, each body decoded as IPP.
 * abort() marks a violation: indexes out of range, strings not terminated, a decoded message
 * that does not survive re-encoding with the same shape, printer fields not valid UTF-8.
 *
 * Corpus (tests/fuzz/corpus/ipp/): real answers of CUPS' ippeveprinter captured with
 * KK_IPPTEST_CAPTURE (tests/print/ipptest.c) and split into bodies, plus a few made by hand
 * (chunked framing, media-empty reasons, collections). `make test` replays them under
 * ASan+UBSan; `make fuzz` runs libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/utf8.h"
#include "print/http.h"
#include "print/ipp.h"
#include "print/ipp_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	if (n == cap || !kk_utf8_valid(s, n, NULL))
		abort();
}

/* Encode the values of attribute a (members of collections recursively). */
static int reencode_attr(struct kk_buf *b, const struct kk_ipp_msg *m, const struct kk_ipp_attr *a,
			 int member);

static int reencode_value(struct kk_buf *b, const struct kk_ipp_msg *m, const struct kk_ipp_value *v,
			  const char *name)
{
	uint8_t raw[9];
	switch (v->tag) {
	case KK_IPP_INTEGER:
	case KK_IPP_ENUM:
		return kk_ipp_add_int(b, v->tag, name, v->i);
	case KK_IPP_BOOLEAN:
		return kk_ipp_add_bool(b, name, v->i);
	case KK_IPP_RANGE:
		return kk_ipp_add_range(b, name, v->i, v->i2);
	case KK_IPP_RESOLUTION:
		return kk_ipp_add_resolution(b, name, v->i, v->i2, v->units);
	case KK_IPP_TEXTLANG:
	case KK_IPP_NAMELANG: {
		struct kk_buf t;
		size_t ll = strlen(v->lang);
		int rc;
		kk_buf_init(&t, 70000);
		raw[0] = (uint8_t)(ll >> 8);
		raw[1] = (uint8_t)ll;
		raw[2] = (uint8_t)(v->len >> 8);
		raw[3] = (uint8_t)v->len;
		rc = kk_buf_add(&t, raw, 2);
		if (!rc)
			rc = kk_buf_add(&t, v->lang, ll);
		if (!rc)
			rc = kk_buf_add(&t, raw + 2, 2);
		if (!rc)
			rc = kk_buf_add(&t, v->s, v->len);
		if (!rc)
			rc = kk_ipp_add_raw(b, v->tag, name, t.data, t.len);
		kk_buf_fini(&t);
		return rc;
	}
	case KK_IPP_BEGCOL: {
		int rc = kk_ipp_add_col_begin(b, name);
		if (v->mfirst + v->mcount > m->n_attrs)
			abort();
		for (unsigned k = v->mfirst; !rc && k < v->mfirst + v->mcount; k++) {
			/* direct members only; deeper ones come with their own collection */
			if (m->attrs[k].depth == m->attrs[v->mfirst].depth)
				rc = reencode_attr(b, m, &m->attrs[k], 1);
		}
		return rc ? rc : kk_ipp_add_col_end(b);
	}
	default:
		return kk_ipp_add_raw(b, v->tag, name, v->s, v->len);
	}
}

static int reencode_attr(struct kk_buf *b, const struct kk_ipp_msg *m, const struct kk_ipp_attr *a,
			 int member)
{
	int rc = member ? kk_ipp_add_col_member(b, a->name) : 0;
	for (unsigned i = 0; !rc && i < a->count; i++) {
		const struct kk_ipp_value *v = kk_ipp_value(m, a, i);
		if (!v)
			abort();
		rc = reencode_value(b, m, v, i == 0 && !member ? a->name : NULL);
	}
	return rc;
}

/* Walk every attribute and value; re-encode and decode again: same shape. */
static void check_msg(const struct kk_ipp_msg *m)
{
	struct kk_ipp_printer p;
	struct kk_buf b;
	struct kk_ipp_msg again;
	uint8_t group = 0;
	int rc;

	if (m->n_attrs > KK_IPP_MAX_ATTRS || m->n_values > KK_IPP_MAX_VALUES)
		abort();
	for (unsigned k = 0; k < m->n_attrs; k++) {
		const struct kk_ipp_attr *a = &m->attrs[k];
		if (!a->count || a->first + a->count > m->n_values || !a->name[0] ||
		    a->depth > KK_IPP_MAX_DEPTH)
			abort();
		for (unsigned i = 0; i < a->count; i++) {
			const struct kk_ipp_value *v = kk_ipp_value(m, a, i);
			if (v->len > KK_IPP_MAX_VALUE_LEN || v->s[v->len] != '\0')
				abort();
		}
	}
	kk_ipp_printer_parse(m, &p);
	check_text(p.reasons, sizeof p.reasons);
	check_text(p.state_message, sizeof p.state_message);
	check_text(p.make_and_model, sizeof p.make_and_model);
	check_text(p.media_default, sizeof p.media_default);
	if (p.n_res > KK_IPP_MAX_RES || p.n_media_ready > KK_IPP_MAX_MEDIA ||
	    p.n_media_supported > KK_IPP_MAX_MEDIA_SUP)
		abort();
	for (unsigned k = 0; k < p.n_media_ready; k++)
		check_text(p.media_ready[k], sizeof p.media_ready[0]);

	kk_buf_init(&b, 2 * KK_IPP_MAX_MSG);
	uint8_t head[8] = { m->major, m->minor, (uint8_t)(m->code >> 8), (uint8_t)m->code,
			    (uint8_t)(m->request_id >> 24), (uint8_t)(m->request_id >> 16),
			    (uint8_t)(m->request_id >> 8), (uint8_t)m->request_id };
	rc = kk_buf_add(&b, head, 8);
	for (unsigned k = 0; !rc && k < m->n_attrs; k++) {
		const struct kk_ipp_attr *a = &m->attrs[k];
		if (a->depth)
			continue;
		if (a->group != group) {
			group = a->group;
			rc = kk_ipp_add_group(&b, group);
		}
		if (!rc)
			rc = reencode_attr(&b, m, a, 0);
	}
	if (!rc)
		rc = kk_ipp_add_group(&b, KK_IPP_GROUP_END);
	if (!rc) {
		rc = kk_ipp_parse(b.data, b.len, &again);
		if (rc == 0) {
			if (again.n_attrs != m->n_attrs || again.n_values != m->n_values ||
			    again.code != m->code || again.request_id != m->request_id)
				abort();
			kk_ipp_msg_fini(&again);
		} else if (rc != KK_E2BIG) {
			abort(); /* what we decoded we must be able to read back */
		}
	}
	kk_buf_fini(&b);
}

static void one_ipp(const uint8_t *p, size_t n)
{
	struct kk_ipp_msg m;
	uint8_t *copy = malloc(n ? n : 1); /* exact size: ASan sees reads past the end */
	if (!copy)
		return;
	if (n)
		memcpy(copy, p, n);
	if (kk_ipp_parse(copy, n, &m) == 0) {
		check_msg(&m);
		kk_ipp_msg_fini(&m);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (!(data[0] & 1)) {
		one_ipp(data + 1, size - 1);
		return 0;
	}
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	for (int k = 0; k < 16 && n > 0; k++) {
		struct kk_buf body;
		struct kk_http_response resp = { .body = &body };
		size_t used = 0;
		int rc;
		kk_buf_init(&body, 64u << 10);
		rc = kk_http_parse_response(p, n, &resp, &used);
		if (used > n || body.len > body.max || (rc == 0 && (resp.status < 200 || resp.status > 599)))
			abort();
		if (rc == 0 || rc == KK_E2BIG)
			one_ipp((const uint8_t *)body.data, body.len);
		kk_buf_fini(&body);
		if (rc || used == 0)
			break;
		p += used;
		n -= used;
	}
	return 0;
}
